import { configureStore } from '@reduxjs/toolkit';
import { setupListeners } from '@reduxjs/toolkit/query';
import { useDispatch, useSelector } from 'react-redux';
import { api } from './api';
import { authSlice, sessionEnded } from './auth';

/** Builds the Redux store: the session slice and the RTK Query cache (refetch on focus/reconnect). */
export function createStore() {
  const store = configureStore({
    reducer: { auth: authSlice.reducer, [api.reducerPath]: api.reducer },
    middleware: (getDefault) => getDefault().concat(api.middleware),
  });
  setupListeners(store.dispatch);
  return store;
}

export type AppStore = ReturnType<typeof createStore>;
export type RootState = ReturnType<AppStore['getState']>;
export type AppDispatch = AppStore['dispatch'];

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();

/** Clears the session and every cached response (on logout, nothing of the previous user stays). */
export function signOut(dispatch: AppDispatch): void {
  dispatch(sessionEnded());
  dispatch(api.util.resetApiState());
}
