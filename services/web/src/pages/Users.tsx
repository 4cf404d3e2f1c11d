import { useUpdateUserMutation, useUsersQuery } from '../app/api';
import { ROLE_LABELS, ROLES, type Role } from '../app/types';
import { formatInstant } from '../domain/format';
import { ErrorMessage, Loading, PageTitle } from '../components/status';

/** `/users` (Admin): every user, their role or requested role; grant a role (`PATCH /api/users/:id`). */
export function Users() {
  const users = useUsersQuery({ limit: 500 });
  const [update, state] = useUpdateUserMutation();
  return (
    <>
      <PageTitle>Users</PageTitle>
      <ErrorMessage error={users.error ?? state.error} />
      {users.isLoading ? <Loading /> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col">Requested</th>
              <th scope="col">Registered</th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.items ?? []).map((u) => (
              <tr key={u.userId}>
                <td data-label="Name">{u.name}</td>
                <td data-label="E-mail">{u.email ?? '—'}</td>
                <td data-label="Role">
                  <label className="visually-hidden" htmlFor={`role-${u.userId}`}>
                    Role of {u.name}
                  </label>
                  <select
                    id={`role-${u.userId}`}
                    value={u.role ?? ''}
                    disabled={state.isLoading || !u.active}
                    onChange={(e) => e.target.value && update({ userId: u.userId, role: e.target.value as Role })}
                  >
                    <option value="">— awaiting a role —</option>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </select>
                </td>
                <td data-label="Requested">{u.requestedRole ? ROLE_LABELS[u.requestedRole] : '—'}</td>
                <td data-label="Registered">{formatInstant(u.registeredAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
