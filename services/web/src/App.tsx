import { useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useRefreshMutation } from './app/api';
import { sessionEnded, sessionStarted } from './app/auth';
import { useAppDispatch, useAppSelector } from './app/store';
import type { SessionResponse } from './app/types';
import { Layout } from './components/Layout';
import { Loading, PageTitle } from './components/status';
import { Approvals } from './pages/Approvals';
import { BillPage } from './pages/BillPage';
import { BillRuns } from './pages/BillRuns';
import { CustomerPage } from './pages/CustomerPage';
import { Customers } from './pages/Customers';
import { Dashboard } from './pages/Dashboard';
import { Users } from './pages/Users';
import { Welcome } from './pages/Welcome';

/** Pages for signed-in users with a role; others go to `/welcome?next=<here>` (or wait for a grant). */
function RequireRole({ children }: { children: ReactNode }) {
  const auth = useAppSelector((s) => s.auth);
  const location = useLocation();
  if (auth.status === 'unknown') {
    return (
      <main id="main">
        <Loading label="Restoring your session…" />
      </main>
    );
  }
  if (auth.status === 'signedOut') return <Navigate to={`/welcome?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (!auth.user?.role) {
    return (
      <main id="main">
        <PageTitle>Waiting for a role</PageTitle>
        <p>Your account exists; an Admin has to grant you a role before you can see bills. Log out and in again once it is granted.</p>
      </main>
    );
  }
  return <>{children}</>;
}

let restoring: Promise<SessionResponse> | undefined;

/** The routes of the app; on start it restores the session from the refresh cookie. */
export function App() {
  const dispatch = useAppDispatch();
  const status = useAppSelector((s) => s.auth.status);
  const [refresh] = useRefreshMutation();
  useEffect(() => {
    if (status !== 'unknown') return;
    // Once per page load (StrictMode runs effects twice in development; a refresh token is single-use).
    restoring ??= refresh().unwrap();
    restoring.then((session) => dispatch(sessionStarted(session))).catch(() => dispatch(sessionEnded()));
  }, [status, refresh, dispatch]);
  return (
    <Routes>
      <Route path="/welcome" element={<Welcome />} />
      <Route
        element={
          <RequireRole>
            <Layout />
          </RequireRole>
        }
      >
        <Route path="/dashboard" element={<Dashboard />} />
        <Route path="/bills/:id" element={<BillPage />} />
        <Route path="/customers" element={<Customers />} />
        <Route path="/customers/:id" element={<CustomerPage />} />
        <Route path="/approvals" element={<Approvals />} />
        <Route path="/bill-runs" element={<BillRuns />} />
        <Route path="/users" element={<Users />} />
      </Route>
      <Route path="*" element={<Navigate to="/dashboard" replace />} />
    </Routes>
  );
}
