import * as z from 'zod';
import { uuid } from '../events/contract-fields.js';
import { aggregateEventContracts } from '../events/event-contracts.js';
import { CUSTOMER_EXPORT_AGGREGATE } from './customer-export.js';

/** The audit record of a personal-data export: one stream per export (`customer_export_id`). */
/** The event types of the export audit stream. */
export const CUSTOMER_EXPORT_EVENT_TYPES = ['CustomerDataExported'] as const;

export const privacyEventContracts = aggregateEventContracts<(typeof CUSTOMER_EXPORT_EVENT_TYPES)[number]>(CUSTOMER_EXPORT_AGGREGATE, {
  CustomerDataExported: {
    version: 1,
    description:
      'Everything held about a customer was exported on an access request (GDPR Art. 15/20); the actor is who asked. No personal data.',
    data: z.strictObject({ customer_id: uuid }),
  },
});
