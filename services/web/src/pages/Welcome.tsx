import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useLoginMutation, useSignUpMutation } from '../app/api';
import { sessionStarted } from '../app/auth';
import { useAppDispatch, useAppSelector } from '../app/store';
import { ROLE_LABELS, ROLES, type Role } from '../app/types';
import { ErrorMessage, Notice, PageTitle } from '../components/status';

/** `/welcome`: log in (`POST /api/session`) and sign up requesting a role (`POST /api/users`). */
export function Welcome() {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const location = useLocation();
  const status = useAppSelector((s) => s.auth.status);
  const next = new URLSearchParams(location.search).get('next') ?? '/dashboard';
  const [login, loginState] = useLoginMutation();
  const [signUp, signUpState] = useSignUpMutation();
  const [signedUp, setSignedUp] = useState<string | null>(null);

  if (status === 'signedIn') return <Navigate to={next} replace />;

  const onLogin = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const session = await login({ name: String(form.get('name') ?? ''), password: String(form.get('password') ?? '') })
      .unwrap()
      .catch(() => undefined);
    if (session) {
      dispatch(sessionStarted(session));
      navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/dashboard', { replace: true });
    }
  };

  const onSignUp = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const requestedRole = String(form.get('requestedRole') ?? '') as Role | '';
    const user = await signUp({
      name: String(form.get('name') ?? ''),
      password: String(form.get('password') ?? ''),
      ...(email ? { email } : {}),
      ...(requestedRole ? { requestedRole } : {}),
    })
      .unwrap()
      .catch(() => undefined);
    if (user) {
      setSignedUp(
        user.role
          ? `Welcome, ${user.name}: your account has the ${ROLE_LABELS[user.role]} role. Log in now.`
          : `Welcome, ${user.name}: an Admin will grant your role${user.requestedRole ? ` (${ROLE_LABELS[user.requestedRole]} requested)` : ''}. You can log in meanwhile.`,
      );
      event.currentTarget?.reset();
    }
  };

  return (
    <main id="main" className="welcome">
      <PageTitle>Welcome to Billing</PageTitle>
      <p>Monthly API-usage bills: drafting, approvals, sending.</p>
      <div className="welcome-forms">
        <section aria-labelledby="login-title" className="card">
          <h2 id="login-title">Log in</h2>
          <form onSubmit={onLogin} aria-describedby="login-error">
            <label>
              Name or e-mail
              <input name="name" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
            <button type="submit" className="primary" disabled={loginState.isLoading}>
              {loginState.isLoading ? 'Logging in…' : 'Log in'}
            </button>
            <div id="login-error">
              <ErrorMessage error={loginState.error} />
            </div>
          </form>
        </section>
        <section aria-labelledby="signup-title" className="card">
          <h2 id="signup-title">Sign up</h2>
          <form onSubmit={onSignUp}>
            <label>
              Name
              <input name="name" autoComplete="name" required />
            </label>
            <label>
              E-mail (optional)
              <input name="email" type="email" autoComplete="email" />
            </label>
            <label>
              Password (at least 12 characters)
              <input name="password" type="password" autoComplete="new-password" minLength={12} required />
            </label>
            <label>
              Requested role
              <select name="requestedRole" defaultValue="">
                <option value="">— choose —</option>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={signUpState.isLoading}>
              {signUpState.isLoading ? 'Signing up…' : 'Sign up'}
            </button>
            <ErrorMessage error={signUpState.error} />
            <Notice>{signedUp}</Notice>
          </form>
        </section>
      </div>
    </main>
  );
}
