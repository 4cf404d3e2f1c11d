import { ContractError } from './errors.js';

/** Kafka topic of each context's integration events: `<context>.<aggregate>-events.v<major>`. */
export const TOPICS = {
  identity: 'identity.user-events.v1',
  customers: 'customers.customer-events.v1',
  billing: 'billing.bill-events.v1',
  approvals: 'approvals.approval-events.v1',
} as const;

/** An integration event topic name. */
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** Every integration event topic (e.g. for `MessageBus.ensureTopics`). */
export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);

const topicByPackage: ReadonlyMap<string, Topic> = new Map<string, Topic>([
  ['identity.v1', TOPICS.identity],
  ['customers.v1', TOPICS.customers],
  ['billing.v1', TOPICS.billing],
  ['approvals.v1', TOPICS.approvals],
]);

/**
 * The topic events of a type travel on, chosen by the type's protobuf package: `identity.v1.*` →
 * `identity.user-events.v1`, `customers.v1.*` → `customers.customer-events.v1`, `billing.v1.*` →
 * `billing.bill-events.v1`, `approvals.v1.*` → `approvals.approval-events.v1`.
 *
 * @param type a fully-qualified message name (e.g. `'billing.v1.BillDrafted'`) or a message
 *   descriptor (e.g. `BillDraftedSchema`). The message itself need not be registered.
 * @throws ContractError with code `contract.unknown_type` when the package has no topic.
 */
export function topicOf(type: string | { readonly typeName: string }): Topic {
  const typeName = typeof type === 'string' ? type : type.typeName;
  const dot = typeName.lastIndexOf('.');
  const topic = dot > 0 ? topicByPackage.get(typeName.slice(0, dot)) : undefined;
  if (topic === undefined) {
    throw new ContractError('contract.unknown_type', `no topic for "${typeName}": its package is not an integration event package`, {
      eventType: typeName,
    });
  }
  return topic;
}
