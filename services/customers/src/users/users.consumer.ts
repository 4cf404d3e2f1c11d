import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { DecodedIntegrationEvent } from '@billing/contracts';
import { quoteIdentifier } from '@billing/database';
import type { BusContext } from '@billing/messaging';
import { OnIntegrationEvent, SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';

/** Consumer group of the customers service. */
const SERVICE = 'customers';

/**
 * Keeps the local `users` table (id, name, role, active) from identity's integration events, for the
 * CSM rule (an active `CustomerSuccess` user). Each handler runs once per event, in the transaction
 * of its dedup record (`ctx.getTransaction()`).
 */
@Controller()
export class UsersConsumer {
  private readonly users: string;

  constructor(@Inject(SERVICE_CONTEXT) service: ServiceContext) {
    this.users = `${quoteIdentifier(service.schema)}.users`;
  }

  /** `identity.v1.UserRegistered` → upsert the user (an empty role is stored as none). */
  @OnIntegrationEvent(SERVICE, 'identity.v1.UserRegistered')
  async registered(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserRegistered'>, @Ctx() ctx: BusContext): Promise<void> {
    const { userId, name, role, active } = e.message;
    await ctx.getTransaction().query(
      `INSERT INTO ${this.users} (user_id, name, role, active) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, active = EXCLUDED.active`,
      [userId, name, role === '' ? null : role, active],
    );
  }

  /** `identity.v1.UserRoleChanged` → the user's new role. */
  @OnIntegrationEvent(SERVICE, 'identity.v1.UserRoleChanged')
  async roleChanged(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserRoleChanged'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(`UPDATE ${this.users} SET role = $2 WHERE user_id = $1`, [e.message.userId, e.message.role === '' ? null : e.message.role]);
  }

  /** `identity.v1.UserDeactivated` → inactive (no longer eligible as a CSM). */
  @OnIntegrationEvent(SERVICE, 'identity.v1.UserDeactivated')
  async deactivated(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserDeactivated'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(`UPDATE ${this.users} SET active = false WHERE user_id = $1`, [e.message.userId]);
  }

  /** `identity.v1.UserReactivated` → active again (eligible as a CSM when their role allows). */
  @OnIntegrationEvent(SERVICE, 'identity.v1.UserReactivated')
  async reactivated(@Payload() e: DecodedIntegrationEvent<'identity.v1.UserReactivated'>, @Ctx() ctx: BusContext): Promise<void> {
    await ctx.getTransaction().query(`UPDATE ${this.users} SET active = true WHERE user_id = $1`, [e.message.userId]);
  }
}
