import * as z from 'zod';
import { CONTACT_ROLES, DEAL_STATUSES } from '../../domain/deal/deal.js';
import type { DealEventType } from '../../domain/deal/deal.events.js';
import { FORECAST_CATEGORIES } from '../../domain/pipeline/pipeline.js';
import { becomes, change, tagSet as tags, timestamp, uuid } from '../events/contract-fields.js';
import { aggregateEventContracts } from '../events/event-contracts.js';

/** The published contracts of the deal stream (`deal_id`, `deal_version`). */

const forecastCategory = z.enum(FORECAST_CATEGORIES);
const contacts = z.array(z.strictObject({ customer_id: uuid, role: z.enum(CONTACT_ROLES) }));
const lost = z.strictObject({ reason: z.string(), note: z.string().nullable(), competitor: z.string().nullable() });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const DealRecord = z.strictObject({
  id: uuid,
  name: z.string().min(1),
  pipeline_id: uuid,
  stage: z.string(),
  status: z.literal('open'),
  amount_minor: z.int().min(0).nullable().describe('minor units of currency'),
  currency: z.string().regex(/^[A-Z]{3}$/),
  expected_close_date: date.nullable(),
  closed_at: z.null(),
  lost: z.null(),
  company_id: uuid.nullable(),
  primary_customer_id: uuid.nullable(),
  contacts,
  owner_id: uuid.nullable(),
  tags,
  source: z.string(),
  external_id: z.string().nullable(),
  forecast_category_override: forecastCategory.nullable(),
  stage_entered_at: timestamp,
  last_open_stage: z.null(),
  deleted_at: z.null(),
  version: z.literal(1),
  created_at: timestamp,
  updated_at: timestamp,
});

/** What every stage event snapshots, true at the moment of the change (later pipeline edits do not rewrite it). */
const stageSnapshot = {
  stage: change(z.string()),
  probability: becomes(z.number().min(0).max(1).nullable(), z.number().min(0).max(1)),
  forecast_category: becomes(forecastCategory.nullable(), forecastCategory),
  direction: z.enum(['forward', 'backward']),
  seconds_in_previous_stage: z.int().min(0),
};

const stageChanges = z.looseObject({ stage: change(z.string()), status: change(z.enum(DEAL_STATUSES)).optional() });

export const dealEventContracts = aggregateEventContracts<DealEventType>('deal', {
  DealCreated: {
    version: 1,
    description:
      'A deal was created in an open stage. data.deal is the whole record; probability and forecast_category are its stage’s at creation.',
    data: z.strictObject({ deal: DealRecord, probability: z.number().min(0).max(1), forecast_category: forecastCategory }),
  },
  DealUpdated: {
    version: 1,
    description: 'Details changed (name, amount, expected close date, links, source, external id, forecast override); only what changed.',
    data: z.strictObject({ changes: z.record(z.string(), change(z.unknown())) }),
  },
  DealStageChanged: {
    version: 1,
    description: 'An open deal moved to another open stage, with the snapshot of both stages and the time spent in the previous one.',
    data: z.strictObject({ changes: stageChanges, ...stageSnapshot }),
  },
  DealWon: {
    version: 1,
    description: 'The deal was won: status open → won, closed_at set (may be in the past for imported history).',
    data: z.strictObject({ changes: stageChanges, ...stageSnapshot }),
  },
  DealLost: {
    version: 1,
    description: "The deal was lost, with a reason from the pipeline's list (changes.lost.to.reason).",
    data: z.strictObject({ changes: stageChanges.extend({ lost: becomes(z.null(), lost) }), ...stageSnapshot }),
  },
  DealReopened: {
    version: 1,
    description: 'A won or lost deal was reopened into the open stage it closed from.',
    data: z.strictObject({ changes: stageChanges, ...stageSnapshot }),
  },
  DealAssigned: {
    version: 1,
    description: 'The owner changed (null: no owner).',
    data: z.strictObject({ changes: z.strictObject({ owner_id: change(uuid.nullable()) }) }),
  },
  DealTagsChanged: {
    version: 1,
    description: 'The tag set was replaced.',
    data: z.strictObject({ changes: z.strictObject({ tags: change(tags) }) }),
  },
  DealContactsChanged: {
    version: 1,
    description: 'The contacts (customers with a role) were replaced.',
    data: z.strictObject({ changes: z.strictObject({ contacts: change(contacts) }) }),
  },
  DealDeleted: {
    version: 1,
    description: 'The deal was soft-deleted: it disappears from every read and report.',
    data: z.strictObject({ changes: z.strictObject({ deleted_at: becomes(z.null(), timestamp) }) }),
  },
});
