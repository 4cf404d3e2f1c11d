/**
 * Test helpers of the approvals service (not exported by the package): publish what identity,
 * customers and billing would publish, call the HTTP API as a user, and watch what approvals publishes.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '@billing/auth';
import type { TestTokens } from '@billing/auth/testing';
import { decodeIntegrationEvent, encodeIntegrationEvent, topicOf, TOPICS, type DecodedIntegrationEvent, type EventInit, type EventType } from '@billing/contracts';
import type { MessageBus, Subscription } from '@billing/messaging';
import { waitUntil } from '@billing/messaging/testing';
import type { InboxItem } from '../http/approvals.controller.js';
import type { PolicyView } from '../http/policy.controller.js';
import type { ProcessView } from '../http/views.js';

/** What the tests read from answers: a process, a problem, a page, a policy or a bill's approvals. */
export type Problem = { code: string; errors: { field: string }[] };
export type Page = { items: InboxItem[]; total: number; limit: number; offset: number };
export type Detail = { billId: string; current: ProcessView; past: ProcessView[] };
export type Answer = ProcessView & Problem & Page & PolicyView & Detail;

/** A test user. */
export interface TestUser {
  userId: string;
  name: string;
  role: Role;
}

/**
 * The BillProcess seed's cast (`seed/bill-process/users.csv`): User1 Sales, User2 Finance, User3 and
 * User4 Customer Success, the Finance user named by its e-mail address; plus a second Sales user and an
 * Admin that the seed lacks. Fresh ids per call.
 */
export function seedUsers() {
  const user = (name: string, role: Role): TestUser => ({ userId: randomUUID(), name, role });
  return {
    user1: user('User1', 'Sales'),
    user2: user('User2', 'Finance'),
    user3: user('User3', 'CustomerSuccess'),
    user4: user('User4', 'CustomerSuccess'),
    user5: user('email.anastassia@gmail.com', 'Finance'),
    user6: user('User6', 'Sales'),
    admin: user('Ada Admin', 'Admin'),
  };
}

/** Contract terms as customers.v1 carries them. */
export function terms(requireCsmApproval: boolean) {
  return { monthlyApiLimit: 1_000_000n, overageUnitPrice: '0.01', currency: 'USD', startDate: '2026-01-01', requireCsmApproval, overageGraceMonths: 0 };
}

/** The helpers, bound to a running approvals service. */
export function createHarness(options: { bus: MessageBus; url: () => string; tokens: () => TestTokens; admin: TestUser }) {
  const published: DecodedIntegrationEvent[] = [];
  let observer: Subscription | undefined;

  async function publish<T extends EventType>(type: T, data: EventInit<T>, streamId: string, actor: TestUser | 'system' = 'system'): Promise<void> {
    const eventId = randomUUID();
    const value = encodeIntegrationEvent({
      type,
      data,
      eventId,
      occurredAt: new Date(),
      streamId,
      streamVersion: 1n,
      correlationId: eventId,
      causationId: eventId,
      actor: actor === 'system' ? { userId: 'system', role: 'system', displayName: 'System' } : { userId: actor.userId, role: actor.role, displayName: actor.name },
    });
    await options.bus.publish(topicOf(type), [{ key: streamId, value }]);
  }

  async function call(user: TestUser, method: string, path: string, body?: unknown): Promise<{ status: number; body: Answer }> {
    const token = await options.tokens().issue(user.role, { userId: user.userId, name: user.name });
    const response = await fetch(`${options.url()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as Answer };
  }

  return {
    published,
    publish,
    call,
    /** Starts collecting what approvals publishes (group `observer`). */
    async observe(): Promise<void> {
      await options.bus.ensureTopics([TOPICS.approvals]);
      observer = await options.bus.subscribe({
        groupId: 'approvals-test-observer',
        topics: [TOPICS.approvals],
        handler: async (message) => void published.push(decodeIntegrationEvent(message.value)),
      });
    },
    async stop(): Promise<void> {
      await observer?.close();
    },
    approve: (user: TestUser, billId: string, comment?: string) => call(user, 'PATCH', `/api/bills/${billId}/approve`, comment === undefined ? undefined : { comment }),
    reject: (user: TestUser, billId: string, body: unknown) => call(user, 'PATCH', `/api/bills/${billId}/reject`, body),
    /** The observed approvals.v1 events of type `type` for bill `billId`. */
    eventsOf: <T extends EventType>(type: T, billId: string) =>
      published.filter((e) => e.type === type && (e.message as { billId?: string }).billId === billId) as DecodedIntegrationEvent<T>[],
    /** Publishes billing.v1.BillSubmitted (2,200.00 USD, 220,000 overage units of 1,000,000 included) and returns its action id. */
    async submit(billId: string, customerId: string, by: { submitter: TestUser; drafter: TestUser; actionId?: string; amountMinor?: bigint }): Promise<string> {
      const actionId = by.actionId ?? randomUUID();
      await publish(
        'billing.v1.BillSubmitted',
        {
          billId,
          actionId,
          comment: 'October usage',
          customerId,
          period: '2026-10',
          amount: { amountMinor: by.amountMinor ?? 220000n, currency: 'USD' },
          overageUnits: 220000n,
          includedApiCalls: 1_000_000n,
          draftedByUserId: by.drafter.userId,
        },
        billId,
        by.submitter,
      );
      return actionId;
    },
    /** Waits until `GET /api/approvals/:billId` answers 200 and satisfies `predicate`; returns it. */
    async waitForProcess(billId: string, predicate: (detail: Detail) => boolean = () => true): Promise<Detail> {
      let detail: Detail | undefined;
      await waitUntil(`approvals of ${billId}`, async () => {
        const response = await call(options.admin, 'GET', `/api/approvals/${billId}`);
        detail = response.body;
        return response.status === 200 && predicate(response.body);
      });
      return detail!;
    },
  };
}
