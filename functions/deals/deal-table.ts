import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { ContactRole, Deal, DealContact, DealPatchableField, DealStatus, LostDetails } from '../../domain/deal/deal.js';
import { DEAL_KIND } from '../../domain/deal/deal-commands.js';
import type { ForecastCategory } from '../../domain/pipeline/pipeline.js';
import type { CurrencyCode } from '../../domain/shared/money.js';
import type { Source } from '../../domain/shared/source.js';
import type { Tag } from '../../domain/shared/tags.js';
import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';
import { lastInteractionOf, type LastInteractionColumns } from '../db/last-interaction-columns.js';
import { fromJsonb, param, toIsoTimestamp, toNullableIsoTimestamp } from '../db/sql-values.js';
import type { AggregateTable } from '../kit/aggregate-table.js';
import { notAnActiveSalesRep } from '../sales-reps/sales-rep-directory.js';
import {
  dateColumn,
  jsonbColumn,
  jsonbSetColumn,
  plainColumn,
  timestampColumn,
  uuidColumn,
  type ColumnCodec,
} from '../kit/column-codecs.js';

export interface DealsTable extends LastInteractionColumns {
  id: string;
  name: string;
  pipeline_id: string;
  stage: string;
  status: string;
  amount_minor: string | number | null;
  currency: string;
  expected_close_date: Date | string | null;
  closed_at: NullableTimestamp;
  lost: Jsonb<LostDetails> | null;
  lost_reason: string | null;
  company_id: string | null;
  primary_customer_id: string | null;
  contacts: Jsonb<{ customer_id: string; role: string }[]>;
  owner_id: string | null;
  tags: Jsonb<string[]>;
  source: string;
  external_id: string | null;
  forecast_category_override: string | null;
  stage_entered_at: Timestamp;
  last_open_stage: string | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_deals: DealsTable;
  }
}

export const DEALS = 'customer_mgmt_deals' as const;
const COMPANIES = 'customer_mgmt_companies';
const CUSTOMERS = 'customer_mgmt_customers';

/**
 * Whether `companyId` names a live company, share-locking its row: a delete of that company
 * (which locks the row for update) waits for this transaction, or this check waits for the
 * delete and then finds the company deleted.
 */
export function companyLive(companyId: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from ${sql.table(COMPANIES)} company
    where company.id = ${companyId} and company.deleted_at is null for share)`;
}
export type DealRow = Selectable<DealsTable>;

/** Contacts are stored as the API shows them, so events show the same shape. */
const contactRecords = (contacts: readonly DealContact[]) =>
  contacts.map((contact) => ({ customer_id: contact.customerId, role: contact.role }));

/** A date column as pg (Date at UTC midnight) or the Data API (text) returns it. */
const toIsoDate = (value: Date | string | null) =>
  value === null ? null : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);

export function rowToDeal(row: DealRow): Deal {
  return {
    id: row.id,
    name: row.name,
    pipelineId: row.pipeline_id,
    stage: row.stage,
    status: row.status as DealStatus,
    amountMinor: row.amount_minor === null ? null : Number(row.amount_minor),
    currency: row.currency as CurrencyCode,
    expectedCloseDate: toIsoDate(row.expected_close_date),
    closedAt: toNullableIsoTimestamp(row.closed_at),
    lost: row.lost === null ? null : fromJsonb(row.lost),
    companyId: row.company_id,
    primaryCustomerId: row.primary_customer_id,
    contacts: fromJsonb(row.contacts).map((contact) => ({ customerId: contact.customer_id, role: contact.role as ContactRole })),
    ownerId: row.owner_id,
    tags: fromJsonb(row.tags) as Tag[],
    source: row.source as Source,
    externalId: row.external_id,
    forecastCategoryOverride: row.forecast_category_override as ForecastCategory | null,
    stageEnteredAt: toIsoTimestamp(row.stage_entered_at),
    lastOpenStage: row.last_open_stage,
    version: Number(row.version),
    createdAt: toIsoTimestamp(row.created_at),
    updatedAt: toIsoTimestamp(row.updated_at),
    deletedAt: toNullableIsoTimestamp(row.deleted_at),
    lastInteraction: lastInteractionOf(row),
  };
}

// Minor units may exceed 2^31: bound as text and cast, since the Data API would send a JS number as a double.
const bigintOf = (value: number | null): RawBuilder<unknown> =>
  value === null ? sql`cast(null as bigint)` : sql`cast(${String(value)} as bigint)`;
const amountColumn: ColumnCodec = { ...plainColumn('amount_minor'), bind: (value) => bigintOf(value as number | null) };
const contactsColumn: ColumnCodec = { ...jsonbColumn('contacts'), bind: (value) => param.jsonb(contactRecords(value as DealContact[])) };
const lostColumn: ColumnCodec = {
  ...jsonbColumn('lost'),
  bind: (value) => (value === null ? sql`cast(null as jsonb)` : param.jsonb(value)),
};

export const DEAL_TABLE: AggregateTable<Deal, DealPatchableField, DealRow> = {
  kind: DEAL_KIND,
  table: DEALS,
  columns: {
    name: plainColumn('name'),
    stage: plainColumn('stage'),
    status: plainColumn('status'),
    amountMinor: amountColumn,
    expectedCloseDate: dateColumn('expected_close_date'),
    closedAt: timestampColumn('closed_at'),
    lost: lostColumn,
    companyId: uuidColumn('company_id'),
    primaryCustomerId: uuidColumn('primary_customer_id'),
    contacts: contactsColumn,
    ownerId: uuidColumn('owner_id'),
    tags: jsonbSetColumn('tags'),
    source: plainColumn('source'),
    externalId: plainColumn('external_id'),
    forecastCategoryOverride: plainColumn('forecast_category_override'),
    stageEnteredAt: timestampColumn('stage_entered_at'),
    lastOpenStage: plainColumn('last_open_stage'),
    deletedAt: timestampColumn('deleted_at'),
  },
  rules: { idx_deals_external_id: 'external_id', customer_mgmt_deals_stage_exists: 'stage' },
  // Checked inside the write: deals are owned only by sales reps Identity has told us are active;
  // a linked company must be live, and the check share-locks its row so that a concurrent delete
  // either waits and counts this deal (see the company-open-deals migration) or commits first and
  // this check finds it deleted; every contact must be a live customer, key-share-locked as the company is
  // share-locked, so that a merge of that customer (docs/merge.md) either moves this deal or makes it wait and refuse.
  referenceChecks: {
    sales_rep: { field: 'ownerId', missing: notAnActiveSalesRep },
    company: { field: 'companyId', missing: (value) => sql<boolean>`not ${companyLive(value)}` },
    contacts: {
      field: 'contacts',
      missing: (value) => sql<boolean>`exists (select 1 from jsonb_array_elements(${value}) as contact(value)
        where not exists (select 1 from ${sql.table(CUSTOMERS)} c
          where c.id = cast(contact.value ->> 'customer_id' as uuid) and c.deleted_at is null for key share of c))`,
    },
  },
  uniqueChecks: {
    external_id: {
      field: 'externalId',
      taken: (value, exceptId) =>
        sql<boolean>`exists (select 1 from ${sql.table(DEALS)} other where other.deleted_at is null and other.external_id = ${value}
                     ${exceptId ? sql`and other.id <> ${exceptId}` : sql``})`,
    },
  },
  rowToEntity: rowToDeal,
  entityToInsert: (deal) => ({
    id: param.uuid(deal.id),
    name: deal.name,
    pipeline_id: param.uuid(deal.pipelineId),
    stage: deal.stage,
    status: deal.status,
    amount_minor: bigintOf(deal.amountMinor),
    currency: deal.currency,
    expected_close_date: deal.expectedCloseDate === null ? sql`cast(null as date)` : sql`cast(${deal.expectedCloseDate} as date)`,
    closed_at: param.nullableTimestamptz(deal.closedAt),
    lost: deal.lost === null ? sql`cast(null as jsonb)` : param.jsonb(deal.lost),
    company_id: param.nullableUuid(deal.companyId),
    primary_customer_id: param.nullableUuid(deal.primaryCustomerId),
    contacts: param.jsonb(contactRecords(deal.contacts)),
    owner_id: param.nullableUuid(deal.ownerId),
    tags: param.jsonb(deal.tags),
    source: deal.source,
    external_id: deal.externalId,
    forecast_category_override: deal.forecastCategoryOverride,
    stage_entered_at: param.timestamptz(deal.stageEnteredAt),
    last_open_stage: deal.lastOpenStage,
    version: deal.version,
    created_at: param.timestamptz(deal.createdAt),
    updated_at: param.timestamptz(deal.updatedAt),
    deleted_at: param.nullableTimestamptz(deal.deletedAt),
  }),
};
