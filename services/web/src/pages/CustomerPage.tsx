import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useBillsQuery, useCustomerQuery, useUsageQuery } from '../app/api';
import { formatCount, formatMoney, formatPeriod } from '../domain/format';
import { UsageChart } from '../components/UsageChart';
import { StatusBadge } from '../components/StatusBadge';
import { ErrorMessage, Loading, PageTitle } from '../components/status';

/** The 12 months ending with `to` (`yyyy-mm`): the first one. */
export function twelveMonthsBefore(to: string): string {
  const year = Number(to.slice(0, 4));
  const month = Number(to.slice(5, 7));
  const index = year * 12 + (month - 1) - 11;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * `/customers/:id`: the customer's contract terms and their history, a monthly usage chart (limit line,
 * overage highlighted; `GET /api/customers/:id/usage?from&to`, 12 months ending at the chosen month) and
 * the customer's bills.
 */
export function CustomerPage() {
  const { id = '' } = useParams();
  const customer = useCustomerQuery(id);
  const [to, setTo] = useState<string>(() => new Date().toISOString().slice(0, 7));
  const usage = useUsageQuery({ customerId: id, from: twelveMonthsBefore(to), to });
  const bills = useBillsQuery({ customerId: id, limit: 50 });
  if (customer.isLoading) return <Loading label="Loading the customer…" />;
  const c = customer.data;
  if (!c) {
    return (
      <>
        <PageTitle>Customer</PageTitle>
        <ErrorMessage error={customer.error} />
      </>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        <Link to="/customers">Customers</Link> /
      </p>
      <PageTitle>{c.name}</PageTitle>
      <p className="muted">
        {c.billingAddress} · {c.billingEmail}
      </p>
      <section aria-labelledby="terms-title" className="card">
        <h2 id="terms-title">Contract terms in force</h2>
        <dl className="facts">
          <dt>Monthly API limit</dt>
          <dd>{formatCount(c.terms.monthlyApiLimit)}</dd>
          <dt>Overage unit price</dt>
          <dd>
            {c.terms.overageUnitPrice} {c.terms.currency}
          </dd>
          <dt>Contract</dt>
          <dd>
            {c.terms.startDate} – {c.terms.endDate ?? 'open-ended'}
          </dd>
          <dt>CSM approval required</dt>
          <dd>{c.terms.requireCsmApproval ? 'Yes' : 'No'}</dd>
          <dt>Grace months</dt>
          <dd>{c.terms.overageGraceMonths}</dd>
        </dl>
        <h3>Terms history</h3>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Effective from</th>
                <th scope="col" className="num">
                  Limit
                </th>
                <th scope="col" className="num">
                  Unit price
                </th>
                <th scope="col">Contract</th>
                <th scope="col">CSM approval</th>
              </tr>
            </thead>
            <tbody>
              {c.termsHistory.map((h) => (
                <tr key={h.effectiveFrom}>
                  <td data-label="From">{h.effectiveFrom}</td>
                  <td data-label="Limit" className="num">
                    {formatCount(h.terms.monthlyApiLimit)}
                  </td>
                  <td data-label="Unit price" className="num">
                    {h.terms.overageUnitPrice} {h.terms.currency}
                  </td>
                  <td data-label="Contract">
                    {h.terms.startDate} – {h.terms.endDate ?? 'open-ended'}
                  </td>
                  <td data-label="CSM approval">{h.terms.requireCsmApproval ? 'required' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="usage-title">
        <h2 id="usage-title">Monthly usage</h2>
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            12 months ending
            <input type="month" value={to} onChange={(e) => e.target.value && setTo(e.target.value)} />
          </label>
        </form>
        <ErrorMessage error={usage.error} />
        {usage.isFetching && !usage.data ? <Loading label="Loading usage…" /> : null}
        {usage.data ? (
          <>
            <UsageChart items={usage.data.items} />
            {usage.data.projection ? (
              <p>
                Projected for {formatPeriod(usage.data.projection.period)}: {formatCount(usage.data.projection.projectedApiCalls)} calls, overage{' '}
                {formatCount(usage.data.projection.projectedOverageUnits)} ({formatMoney(usage.data.projection.projectedOverageAmount)}).
              </p>
            ) : null}
            <details>
              <summary>Usage figures</summary>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Month</th>
                      <th scope="col" className="num">
                        API calls
                      </th>
                      <th scope="col" className="num">
                        Limit
                      </th>
                      <th scope="col" className="num">
                        Overage
                      </th>
                      <th scope="col">Closed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {usage.data.items.map((i) => (
                      <tr key={i.period} className={i.overageUnits > 0 ? 'over' : ''}>
                        <td>{i.period}</td>
                        <td className="num">{formatCount(i.apiCalls)}</td>
                        <td className="num">{formatCount(i.limit)}</td>
                        <td className="num">{formatCount(i.overageUnits)}</td>
                        <td>{i.closed ? 'yes' : 'no'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </>
        ) : null}
      </section>
      <section aria-labelledby="bills-title">
        <h2 id="bills-title">Bills</h2>
        <ErrorMessage error={bills.error} />
        <ul>
          {(bills.data?.items ?? []).map((b) => (
            <li key={b.billId}>
              <Link to={`/bills/${encodeURIComponent(b.billId)}`}>{formatPeriod(b.period)}</Link> <StatusBadge status={b.status} /> {formatMoney(b.amount)}
            </li>
          ))}
          {bills.data && bills.data.items.length === 0 ? <li>No bills yet.</li> : null}
        </ul>
      </section>
    </>
  );
}
