import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCustomersQuery } from '../app/api';
import { formatCount } from '../domain/format';
import { ErrorMessage, Loading, PageTitle, Pagination } from '../components/status';

const PAGE_SIZE = 25;

/** `/customers`: customers with their terms in force (`GET /api/customers?q=`), searched by name, key or e-mail. */
export function Customers() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const [text, setText] = useState(q);
  useEffect(() => {
    const timer = setTimeout(() => {
      if (text !== q) setParams(text ? { q: text } : {});
    }, 300);
    return () => clearTimeout(timer);
  }, [text, q, setParams]);
  const customers = useCustomersQuery({ q: q || undefined, limit: PAGE_SIZE, offset });
  return (
    <>
      <PageTitle>Customers</PageTitle>
      <form role="search" onSubmit={(e) => e.preventDefault()} className="filters">
        <label>
          Search customers
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Name, key or e-mail" />
        </label>
      </form>
      <ErrorMessage error={customers.error} />
      {customers.isFetching && !customers.data ? <Loading label="Loading customers…" /> : null}
      {customers.data ? (
        <>
          <p aria-live="polite">{customers.data.total} customers</p>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Customers</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Billing e-mail</th>
                  <th scope="col" className="num">
                    Monthly API limit
                  </th>
                  <th scope="col" className="num">
                    Overage unit price
                  </th>
                  <th scope="col">CSM approval</th>
                </tr>
              </thead>
              <tbody>
                {customers.data.items.map((c) => (
                  <tr key={c.customerId}>
                    <td data-label="Name">
                      <Link to={`/customers/${c.customerId}`}>{c.name}</Link>
                    </td>
                    <td data-label="E-mail">{c.billingEmail}</td>
                    <td data-label="Limit" className="num">
                      {formatCount(c.terms.monthlyApiLimit)}
                    </td>
                    <td data-label="Unit price" className="num">
                      {c.terms.overageUnitPrice} {c.terms.currency}
                    </td>
                    <td data-label="CSM approval">{c.terms.requireCsmApproval ? 'required' : 'no'}</td>
                  </tr>
                ))}
                {customers.data.items.length === 0 ? (
                  <tr>
                    <td colSpan={5}>No customer matches “{q}”.</td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <Pagination total={customers.data.total} limit={PAGE_SIZE} offset={offset} onChange={(o) => setParams({ ...(q ? { q } : {}), ...(o ? { offset: String(o) } : {}) })} />
        </>
      ) : null}
    </>
  );
}
