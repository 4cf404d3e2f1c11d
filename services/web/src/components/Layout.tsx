import { NavLink, Outlet, useNavigate } from 'react-router';
import { useLogoutMutation } from '../app/api';
import { signOut, useAppDispatch, useAppSelector } from '../app/store';
import { ROLE_LABELS } from '../app/types';

/** The frame of every signed-in page: skip link, header with the user and "Log out", navigation, main. */
export function Layout() {
  const user = useAppSelector((s) => s.auth.user);
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const [logout] = useLogoutMutation();
  const onLogout = async () => {
    await logout()
      .unwrap()
      .catch(() => undefined);
    signOut(dispatch);
    navigate('/welcome');
  };
  const links = [
    { to: '/dashboard', label: 'Bills' },
    { to: '/approvals', label: 'Approvals' },
    { to: '/customers', label: 'Customers' },
    { to: '/bill-runs', label: 'Bill runs' },
    ...(user?.role === 'Admin' ? [{ to: '/users', label: 'Users' }] : []),
  ];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <span className="brand">Billing</span>
        <nav aria-label="Main">
          <ul>
            {links.map((l) => (
              <li key={l.to}>
                <NavLink to={l.to}>{l.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span data-testid="current-user">
            {user?.name}
            {user?.role ? ` · ${ROLE_LABELS[user.role]}` : ''}
          </span>
          <button type="button" onClick={onLogout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}
