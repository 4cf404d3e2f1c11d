import { approvalsService } from '@billing/approvals-service';
import { billingService } from '@billing/billing-service';
import { customersService } from '@billing/customers-service';
import { identityService } from '@billing/identity-service';
import type { MountedService, ServiceDefinition } from '@billing/service-kit';

/** The schema each service owns in the one embedded database. */
export const EMBEDDED_SCHEMAS = {
  identity: 'identity',
  customers: 'customers',
  billing: 'billing',
  approvals: 'approvals',
} as const;

/** Every service of the platform, each in its own schema of the one embedded database (`identity`: with its settings). */
export function embeddedServices(identity: ServiceDefinition = identityService): readonly MountedService[] {
  return [
  { definition: identity, schema: EMBEDDED_SCHEMAS.identity },
  { definition: customersService, schema: EMBEDDED_SCHEMAS.customers },
  { definition: billingService, schema: EMBEDDED_SCHEMAS.billing },
  { definition: approvalsService, schema: EMBEDDED_SCHEMAS.approvals },
  ];
}

/** Schema and consumer group of the embedded runtime's one revocation list (see `AuthModule`). */
export const EMBEDDED_AUTH = { schema: 'embedded_auth', groupId: 'embedded.auth' } as const;
