import { createApi, fetchBaseQuery, type BaseQueryFn, type FetchArgs, type FetchBaseQueryError } from '@reduxjs/toolkit/query/react';
import { sessionEnded, sessionStarted, type AuthState } from './auth';
import type {
  ApprovalDetail,
  BillDetail,
  BillList,
  BillRun,
  BillSummary,
  Customer,
  InboxItem,
  Page,
  Role,
  SessionResponse,
  UsageSeries,
  User,
} from './types';

/**
 * The base query: bearer token from the store; on a 401 of any request but the session ones, refreshes
 * the access token ONCE through the refresh cookie (`POST /api/session/refresh`; concurrent 401s share
 * one refresh) and retries; when the refresh is refused the session ends (the app shows the welcome page).
 * `fetchFn` and `baseUrl` are for tests.
 */
export function makeBaseQuery(options: { baseUrl?: string; fetchFn?: typeof fetch } = {}): BaseQueryFn<string | FetchArgs, unknown, FetchBaseQueryError> {
  const raw = fetchBaseQuery({
    baseUrl: options.baseUrl ?? '/',
    credentials: 'same-origin',
    ...(options.fetchFn ? { fetchFn: options.fetchFn } : {}),
    prepareHeaders: (headers, { getState }) => {
      const token = (getState() as { auth: AuthState }).auth.accessToken;
      if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
      return headers;
    },
  });
  let refreshing: Promise<boolean> | null = null;
  return async (args, api, extra) => {
    let result = await raw(args, api, extra);
    const url = typeof args === 'string' ? args : args.url;
    if (result.error?.status === 401 && !url.startsWith('api/session')) {
      refreshing ??= (async () => {
        const refreshed = await raw({ url: 'api/session/refresh', method: 'POST' }, api, extra);
        if (refreshed.data) api.dispatch(sessionStarted(refreshed.data as SessionResponse));
        else api.dispatch(sessionEnded());
        return Boolean(refreshed.data);
      })().finally(() => {
        refreshing = null;
      });
      if (await refreshing) result = await raw(args, api, extra);
    }
    return result;
  };
}

/** Query string of the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Filters of the bills dashboard (`GET /api/bills`). */
export interface BillFilter {
  status?: string;
  period?: string;
  customerId?: string;
  csmUserId?: string;
  sort?: string;
  limit?: number;
  offset?: number;
}

/** `If-Match` of a bill mutation: the version the user saw. */
const ifMatch = (version: number | undefined) => (version === undefined ? {} : { 'If-Match': `"${version}"` });

type BillMutation = { billId: string; version?: number };

/**
 * The one API slice (RTK Query). Tags: `Bill` (by id and `LIST`), `Approval`, `BillRun`, `Customer`,
 * `User`. Bill mutations invalidate the bill, the lists and the inbox.
 */
export const api = createApi({
  reducerPath: 'api',
  baseQuery: makeBaseQuery(),
  tagTypes: ['Bill', 'Approval', 'BillRun', 'Customer', 'User'],
  endpoints: (build) => ({
    // --- identity
    login: build.mutation<SessionResponse, { name: string; password: string }>({
      query: (body) => ({ url: 'api/session', method: 'POST', body }),
    }),
    refresh: build.mutation<SessionResponse, void>({ query: () => ({ url: 'api/session/refresh', method: 'POST' }) }),
    logout: build.mutation<void, void>({ query: () => ({ url: 'api/session', method: 'DELETE' }) }),
    signUp: build.mutation<User, { name: string; email?: string; password: string; requestedRole?: Role }>({
      query: (body) => ({ url: 'api/users', method: 'POST', body }),
    }),
    users: build.query<Page<User>, { limit?: number; offset?: number; role?: string }>({
      query: (p) => `api/users${qs(p)}`,
      providesTags: [{ type: 'User', id: 'LIST' }],
    }),
    updateUser: build.mutation<User, { userId: string; role?: Role; active?: boolean }>({
      query: ({ userId, ...body }) => ({ url: `api/users/${encodeURIComponent(userId)}`, method: 'PATCH', body }),
      invalidatesTags: [{ type: 'User', id: 'LIST' }],
    }),
    // --- customers
    customers: build.query<Page<Customer>, { q?: string; csmUserId?: string; limit?: number; offset?: number }>({
      query: (p) => `api/customers${qs(p)}`,
      providesTags: [{ type: 'Customer', id: 'LIST' }],
    }),
    customer: build.query<Customer, string>({
      query: (id) => `api/customers/${encodeURIComponent(id)}`,
      providesTags: (_r, _e, id) => [{ type: 'Customer', id }],
    }),
    usage: build.query<UsageSeries, { customerId: string; from?: string; to?: string }>({
      query: ({ customerId, ...range }) => `api/customers/${encodeURIComponent(customerId)}/usage${qs(range)}`,
      providesTags: (_r, _e, a) => [{ type: 'Customer', id: a.customerId }],
    }),
    // --- bills
    bills: build.query<BillList, BillFilter>({
      query: (f) => `api/bills${qs({ ...f })}`,
      providesTags: [{ type: 'Bill', id: 'LIST' }],
    }),
    bill: build.query<BillDetail, { billId: string; version?: number }>({
      query: ({ billId, version }) => `api/bills/${encodeURIComponent(billId)}${qs({ version })}`,
      providesTags: (_r, _e, a) => [{ type: 'Bill', id: a.billId }],
    }),
    draftBill: build.mutation<BillDetail, { customerId: string; period: string }>({
      query: (body) => ({ url: 'api/bills', method: 'POST', body }),
      invalidatesTags: [{ type: 'Bill', id: 'LIST' }],
    }),
    adjustBill: build.mutation<BillDetail, BillMutation & { unitPrice: string; reason: string }>({
      query: ({ billId, version, ...body }) => ({ url: `api/bills/${encodeURIComponent(billId)}`, method: 'PATCH', body, headers: ifMatch(version) }),
      invalidatesTags: (_r, _e, a) => [{ type: 'Bill', id: a.billId }, { type: 'Bill', id: 'LIST' }],
    }),
    billCommand: build.mutation<BillDetail, BillMutation & { command: 'submit' | 'send' | 'void' | 'comments'; comment?: string; reason?: string }>({
      query: ({ billId, version, command, ...body }) => ({ url: `api/bills/${encodeURIComponent(billId)}/${command}`, method: 'POST', body, headers: ifMatch(version) }),
      invalidatesTags: (_r, _e, a) => [{ type: 'Bill', id: a.billId }, { type: 'Bill', id: 'LIST' }, { type: 'Approval', id: 'LIST' }, { type: 'Approval', id: a.billId }],
    }),
    revertAction: build.mutation<BillDetail, BillMutation & { actionId: string; reason: string }>({
      query: ({ billId, version, actionId, reason }) => ({
        url: `api/bills/${encodeURIComponent(billId)}/actions/${encodeURIComponent(actionId)}/revert`,
        method: 'POST',
        body: { reason },
        headers: ifMatch(version),
      }),
      invalidatesTags: (_r, _e, a) => [{ type: 'Bill', id: a.billId }, { type: 'Bill', id: 'LIST' }, { type: 'Approval', id: 'LIST' }],
    }),
    // --- approvals
    decide: build.mutation<unknown, { billId: string; decision: 'approve' | 'reject'; comment: string }>({
      query: ({ billId, decision, comment }) => ({ url: `api/bills/${encodeURIComponent(billId)}/${decision}`, method: 'PATCH', body: { comment } }),
      invalidatesTags: (_r, _e, a) => [{ type: 'Bill', id: a.billId }, { type: 'Bill', id: 'LIST' }, { type: 'Approval', id: 'LIST' }, { type: 'Approval', id: a.billId }],
    }),
    inbox: build.query<Page<InboxItem>, { status?: string; limit?: number; offset?: number }>({
      query: (p) => `api/approvals${qs({ assignee: 'me', ...p })}`,
      providesTags: [{ type: 'Approval', id: 'LIST' }],
    }),
    approval: build.query<ApprovalDetail, string>({
      query: (billId) => `api/approvals/${encodeURIComponent(billId)}`,
      providesTags: (_r, _e, id) => [{ type: 'Approval', id }],
    }),
    // --- bill runs
    billRuns: build.query<Page<BillRun>, { limit?: number; offset?: number }>({
      query: (p) => `api/bill-runs${qs(p)}`,
      providesTags: [{ type: 'BillRun', id: 'LIST' }],
    }),
    billRun: build.query<BillRun, string>({ query: (runId) => `api/bill-runs/${encodeURIComponent(runId)}`, providesTags: (_r, _e, id) => [{ type: 'BillRun', id }] }),
    startBillRun: build.mutation<BillRun, { period: string }>({
      query: (body) => ({ url: 'api/bill-runs', method: 'POST', body }),
      invalidatesTags: [{ type: 'BillRun', id: 'LIST' }, { type: 'Bill', id: 'LIST' }],
    }),
  }),
});

export type { BillSummary };
export const {
  useLoginMutation,
  useRefreshMutation,
  useLogoutMutation,
  useSignUpMutation,
  useUsersQuery,
  useUpdateUserMutation,
  useCustomersQuery,
  useCustomerQuery,
  useUsageQuery,
  useBillsQuery,
  useBillQuery,
  useAdjustBillMutation,
  useBillCommandMutation,
  useRevertActionMutation,
  useDecideMutation,
  useInboxQuery,
  useApprovalQuery,
  useBillRunsQuery,
  useBillRunQuery,
  useStartBillRunMutation,
} = api;
