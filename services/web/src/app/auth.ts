import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { SessionResponse, User } from './types';

/**
 * The session in memory: the access token (never in localStorage; the refresh token is an HttpOnly
 * cookie the browser sends to `/api/session/refresh`) and the signed-in user.
 * `status`: `unknown` until the start-up refresh answered, then `signedIn` or `signedOut`.
 */
export interface AuthState {
  accessToken: string | null;
  user: User | null;
  status: 'unknown' | 'signedIn' | 'signedOut';
}

const initialState: AuthState = { accessToken: null, user: null, status: 'unknown' };

export const authSlice = createSlice({
  name: 'auth',
  initialState,
  reducers: {
    /** A login or a refresh answered: keep the new token and user. */
    sessionStarted(state, action: PayloadAction<SessionResponse>) {
      state.accessToken = action.payload.accessToken;
      state.user = action.payload.user;
      state.status = 'signedIn';
    },
    /** Logged out, or the refresh cookie was refused. */
    sessionEnded(state) {
      state.accessToken = null;
      state.user = null;
      state.status = 'signedOut';
    },
  },
});

export const { sessionStarted, sessionEnded } = authSlice.actions;
