import { Logger } from '@nestjs/common';
import type { RecordedEvent } from '@billing/event-store';
import type { OutboxMessage } from '@billing/messaging';
import { integrationMessage } from '@billing/service-kit';
import type { SessionRevoked } from './sessions/session.events.js';
import type { UserEvent } from './users/user.decider.js';

/**
 * The identity outbox: domain events → `identity.v1` integration events (topic
 * `identity.user-events.v1`, key = stream id). A role not granted yet travels as `""` (the contract's
 * `role` is a plain string). `UserPasswordSet` stays inside the service. An event this service did
 * not write (no `userId` in its data) is skipped with a warning rather than blocking the outbox: the
 * revocations behind it must still go out.
 */
export function identityOutbox(event: RecordedEvent): OutboxMessage | null {
  const domain = { type: event.type, data: event.data } as UserEvent | SessionRevoked;
  if (typeof (event.data as { userId?: unknown } | null)?.userId !== 'string') {
    new Logger('identity.outbox').warn(`skipping ${event.type} ${event.metadata.eventId} of ${event.metadata.streamName}: not an identity event shape`);
    return null;
  }
  switch (domain.type) {
    case 'UserRegistered': {
      const d = domain.data;
      return integrationMessage(event, 'identity.v1.UserRegistered', {
        userId: d.userId,
        name: d.name,
        ...(d.email !== null ? { email: d.email } : {}),
        role: d.role ?? '',
        ...(d.requestedRole !== null ? { requestedRole: d.requestedRole } : {}),
        active: d.active,
      });
    }
    case 'UserRoleChanged':
      return integrationMessage(event, 'identity.v1.UserRoleChanged', { userId: domain.data.userId, role: domain.data.role, previousRole: domain.data.previousRole ?? '' });
    case 'UserDeactivated':
      return integrationMessage(event, 'identity.v1.UserDeactivated', { userId: domain.data.userId });
    case 'UserReactivated':
      return integrationMessage(event, 'identity.v1.UserReactivated', { userId: domain.data.userId });
    case 'SessionRevoked': {
      const expires = new Date(domain.data.expiresAt);
      return integrationMessage(event, 'identity.v1.SessionRevoked', {
        userId: domain.data.userId,
        sessionId: domain.data.sessionId,
        tokenId: domain.data.tokenId,
        expiresAt: { seconds: BigInt(Math.ceil(expires.getTime() / 1000)), nanos: 0 },
      });
    }
    default:
      return null;
  }
}
