import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, useBillsQuery, useCustomersQuery, useUsersQuery, type BillFilter } from '../app/api';
import { useAppDispatch, useAppSelector } from '../app/store';
import { billsToCsv, fetchAllPages } from '../domain/csv';
import { formatCount, formatMoney, formatPeriod } from '../domain/format';
import { StatusBadge } from '../components/StatusBadge';
import { ErrorMessage, Loading, Notice, PageTitle, Pagination } from '../components/status';

/** Status tabs of the dashboard (value '' = every status). */
export const STATUS_TABS = [
  { value: '', label: 'All' },
  { value: 'draft', label: 'Draft' },
  { value: 'pending_approval', label: 'Pending approval' },
  { value: 'approved', label: 'Approved' },
  { value: 'sent', label: 'Sent' },
  { value: 'void', label: 'Void' },
];

const SORTS = [
  { value: '-period', label: 'Period, newest first' },
  { value: 'period', label: 'Period, oldest first' },
  { value: '-amount', label: 'Amount, largest first' },
  { value: 'amount', label: 'Amount, smallest first' },
  { value: 'customer', label: 'Customer, A–Z' },
  { value: '-customer', label: 'Customer, Z–A' },
  { value: 'status', label: 'Status' },
  { value: '-updatedAt', label: 'Last change' },
];

const PAGE_SIZE = 25;

/**
 * `/dashboard`: the bills index (`GET /api/bills`) with status tabs, period / customer / CSM filters,
 * sorting, pagination, totals per currency and a CSV export of the current filter (every page, read
 * 500 at a time). The filter lives in the URL (shareable, back button). Polls every 5 s.
 */
export function Dashboard() {
  const [params, setParams] = useSearchParams();
  const me = useAppSelector((s) => s.auth.user);
  const dispatch = useAppDispatch();
  const filter: BillFilter = {
    status: params.get('status') ?? undefined,
    period: params.get('period') ?? undefined,
    customerId: params.get('customerId') ?? undefined,
    csmUserId: params.get('csmUserId') ?? undefined,
    sort: params.get('sort') ?? '-period',
  };
  const offset = Number(params.get('offset') ?? 0) || 0;
  const bills = useBillsQuery({ ...filter, limit: PAGE_SIZE, offset }, { pollingInterval: 5000, skipPollingIfUnfocused: true });
  const customers = useCustomersQuery({ limit: 500 });
  const users = useUsersQuery({ limit: 500 }, { skip: me?.role !== 'Admin' });
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  const [exported, setExported] = useState<string | null>(null);

  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('offset' in changes)) next.delete('offset');
    setParams(next);
  };

  const csmIds = [...new Set((customers.data?.items ?? []).map((c) => c.csmUserId).filter((id): id is string => Boolean(id)))];
  const csmNames = new Map((customers.data?.items ?? []).flatMap((c) => (c.csmUserId && c.csmName ? [[c.csmUserId, c.csmName] as const] : [])));
  /** The CSM's name: me, the Admin's user list, the customers' `csmName` when the API gives it, else a short id. */
  const nameOf = (id: string) => (id === me?.userId ? `${me.name} (me)` : (users.data?.items.find((u) => u.userId === id)?.name ?? csmNames.get(id) ?? `CSM ${id.slice(0, 8)}`));

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    setExported(null);
    try {
      const all = await fetchAllPages((limit, off) => dispatch(api.endpoints.bills.initiate({ ...filter, limit, offset: off }, { subscribe: false, forceRefetch: true })).unwrap());
      const blob = new Blob([billsToCsv(all)], { type: 'text/csv;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `bills${filter.period ? `-${filter.period}` : ''}${filter.status ? `-${filter.status}` : ''}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExported(`Exported ${all.length} bills.`);
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  const data = bills.data;
  return (
    <>
      <PageTitle>Bills</PageTitle>
      <div role="group" aria-label="Status" className="tabs">
        {STATUS_TABS.map((tab) => (
          <button
            key={tab.value}
            type="button"
            aria-pressed={(filter.status ?? '') === tab.value}
            className={(filter.status ?? '') === tab.value ? 'active' : ''}
            onClick={() => set({ status: tab.value })}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Period
          <input type="month" value={filter.period ?? ''} onChange={(e) => set({ period: e.target.value })} />
        </label>
        <label>
          Customer
          <select value={filter.customerId ?? ''} onChange={(e) => set({ customerId: e.target.value })}>
            <option value="">All customers</option>
            {(customers.data?.items ?? []).map((c) => (
              <option key={c.customerId} value={c.customerId}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          CSM
          <select value={filter.csmUserId ?? ''} onChange={(e) => set({ csmUserId: e.target.value })}>
            <option value="">Any CSM</option>
            {csmIds.map((id) => (
              <option key={id} value={id}>
                {nameOf(id)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort by
          <select value={filter.sort} onChange={(e) => set({ sort: e.target.value })}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={exportCsv} disabled={exporting}>
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </form>
      <ErrorMessage error={exportError} prefix="Export failed" />
      <Notice>{exported}</Notice>
      <ErrorMessage error={bills.error} />
      {bills.isLoading ? <Loading label="Loading bills…" /> : null}
      {data ? (
        <>
          <p className="totals" aria-live="polite">
            {data.total} {data.total === 1 ? 'bill' : 'bills'}
            {data.totals.map((t) => (
              <span key={t.currency}>
                {' · '}
                total {formatMoney(t)}
              </span>
            ))}
          </p>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Bills</caption>
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">Period</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    API calls
                  </th>
                  <th scope="col" className="num">
                    Overage
                  </th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.length === 0 ? (
                  <tr>
                    <td colSpan={6}>No bills match this filter.</td>
                  </tr>
                ) : (
                  data.items.map((b) => (
                    <tr key={b.billId}>
                      <td data-label="Customer">
                        <Link to={`/bills/${encodeURIComponent(b.billId)}`}>{b.customerName ?? b.customerId}</Link>
                      </td>
                      <td data-label="Period">{formatPeriod(b.period)}</td>
                      <td data-label="Status">
                        <StatusBadge status={b.status} />
                      </td>
                      <td data-label="API calls" className="num">
                        {formatCount(b.usageApiCalls)}
                      </td>
                      <td data-label="Overage" className="num">
                        {formatCount(b.overageUnits)}
                      </td>
                      <td data-label="Amount" className="num">
                        {formatMoney(b.amount)}
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <Pagination total={data.total} limit={PAGE_SIZE} offset={offset} onChange={(o) => set({ offset: o ? String(o) : undefined })} />
        </>
      ) : null}
    </>
  );
}
