import type { Kysely } from 'kysely';
import { parseEmail } from '../../domain/shared/email.js';
import { validationFailed } from '../../domain/errors.js';
import type { AfterCommit } from '../kit/aggregate-service.js';
import type { Database } from '../db/database.js';
import { success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import { CustomerIdParams } from '../customers/customer.schemas.js';
import { eraseCustomer, type ErasureOutcome } from './customer-erasure.js';
import { exportCustomer } from './customer-export.js';
import { PRIVACY_PERMISSIONS } from './privacy-permissions.js';
import { CustomerExportRepresentation, EraseByEmailBody, EraseCustomerBody, ErasureRepresentation } from './privacy.schemas.js';

/** What the privacy routes use: the database (they write across tables), ids, the clock and delivery. */
export interface PrivacyServices {
  readonly db: Kysely<Database>;
  readonly privacy: {
    readonly now: () => Date;
    readonly newId: () => string;
    readonly afterCommit?: AfterCommit | undefined;
  };
}

const erasureBody = (outcome: ErasureOutcome) => ({
  customer_id: outcome.customerId,
  erased_at: outcome.erasedAt,
  email_suppressed: outcome.emailSuppressed,
  events_scrubbed: outcome.eventsScrubbed,
  interactions_scrubbed: outcome.interactionsScrubbed,
});

async function erase(
  services: PrivacyServices,
  customer: { id: string } | { email: string },
  requestRef: string,
  suppressEmail: boolean,
  actor: string,
) {
  const { privacy } = services;
  const erased = await eraseCustomer(services.db, {
    customer,
    requestRef,
    suppressEmail,
    actor,
    eventId: privacy.newId(),
    now: privacy.now().toISOString(),
  });
  if (!erased.ok) return erased.error;
  await privacy.afterCommit?.([erased.value.event]);
  return success(200, erasureBody(erased.value));
}

const ERASE_ERRORS = ['CUSTOMER.NOT_FOUND', 'CUSTOMER.ERASED'] as const;

export const privacyRoutes: readonly Route<any, any, any, PrivacyServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/customers/{id}/erase',
    group: 'api-write',
    operationId: 'eraseCustomer',
    summary: "Erase the person's data (GDPR Art. 17); orders and analytics stay; the record is frozen",
    permission: PRIVACY_PERMISSIONS.erase,
    params: CustomerIdParams,
    body: { schema: EraseCustomerBody, required: true },
    response: { status: 200, data: ErasureRepresentation },
    errors: [...ERASE_ERRORS],
    handle: ({ params, body, actor }, services: PrivacyServices) =>
      erase(services, { id: params.id }, body.request_ref, body.suppress_email ?? false, actor.id),
  }),
  defineRoute({
    method: 'POST',
    path: '/privacy/erasures',
    group: 'api-write',
    operationId: 'eraseCustomerByEmail',
    summary: 'Erase the customer with this email (GDPR Art. 17), as POST /customers/{id}/erase',
    permission: PRIVACY_PERMISSIONS.erase,
    body: { schema: EraseByEmailBody, required: true },
    response: { status: 200, data: ErasureRepresentation },
    errors: [...ERASE_ERRORS],
    handle: async ({ body, actor }, services: PrivacyServices) => {
      const email = parseEmail(body.email);
      if (!email.ok) return validationFailed([{ field: 'email', message: email.error }]);
      return erase(services, { email: email.value }, body.request_ref ?? 'privacy-erasure', body.suppress_email ?? false, actor.id);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/customers/{id}/export',
    // A write group: the export appends its audit event (the read group has a read-only role).
    group: 'api-write',
    operationId: 'exportCustomerData',
    summary: 'Everything held about the person as one JSON document (GDPR Art. 15/20); recorded as CustomerDataExported',
    permission: PRIVACY_PERMISSIONS.export,
    params: CustomerIdParams,
    response: { status: 200, data: CustomerExportRepresentation },
    errors: ['CUSTOMER.NOT_FOUND'],
    handle: async ({ params, actor }, services: PrivacyServices) => {
      const { privacy } = services;
      const exported = await exportCustomer(services.db, {
        customerId: params.id,
        actor: actor.id,
        eventId: privacy.newId(),
        exportId: privacy.newId(),
        now: privacy.now().toISOString(),
      });
      if (!exported.ok) return exported.error;
      await privacy.afterCommit?.([exported.value.event]);
      return success(200, exported.value.document);
    },
  }),
];
