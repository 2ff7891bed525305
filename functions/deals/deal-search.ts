import { sql } from 'kysely';
import { DEAL_STATUSES } from '../../domain/deal/deal.js';
import { FORECAST_CATEGORIES } from '../../domain/pipeline/pipeline.js';
import { param } from '../db/sql-values.js';
import { PIPELINES, rowToPipeline, type PipelineRow } from '../pipelines/pipeline-table.js';
import type { SearchableObject } from '../search/searchable-object.js';
import { dealBody } from './deal-responses.js';
import type { DealRouteServices } from './deals.routes.js';
import { DealRepresentation } from './deal.schemas.js';
import { DEALS, rowToDeal, type DealRow } from './deal-table.js';

/**
 * Deals as search (and later batch, import and export) see them. `amount` is money: it compares
 * amounts in the currency the filter names only (`{"amount_minor": 100000, "currency": "EUR"}`).
 * The representation derives probability and forecast from the deal's pipeline, read alongside.
 */
export const DEAL_SEARCH: SearchableObject<DealRouteServices> = {
  name: 'deals',
  table: DEALS,
  properties: {
    id: { type: 'uuid', column: 'id' },
    name: { type: 'string', column: 'name' },
    pipeline_id: { type: 'uuid', column: 'pipeline_id' },
    stage: { type: 'string', column: 'stage' },
    status: { type: 'enum', column: 'status', values: DEAL_STATUSES },
    amount: { type: 'money', column: 'amount_minor', currencyColumn: 'currency', sqlType: 'bigint', nullable: true },
    currency: { type: 'string', column: 'currency' },
    expected_close_date: { type: 'date', column: 'expected_close_date', nullable: true },
    closed_at: { type: 'datetime', column: 'closed_at', nullable: true },
    lost_reason: { type: 'string', column: 'lost_reason', nullable: true },
    company_id: { type: 'uuid', column: 'company_id', nullable: true },
    primary_customer_id: { type: 'uuid', column: 'primary_customer_id', nullable: true },
    owner_id: { type: 'uuid', column: 'owner_id', nullable: true },
    tags: { type: 'array', column: 'tags' },
    source: { type: 'string', column: 'source' },
    external_id: { type: 'string', column: 'external_id', nullable: true },
    forecast_category_override: { type: 'enum', column: 'forecast_category_override', values: FORECAST_CATEGORIES, nullable: true },
    stage_entered_at: { type: 'datetime', column: 'stage_entered_at' },
    version: { type: 'number', column: 'version', sqlType: 'integer' },
    created_at: { type: 'datetime', column: 'created_at' },
    updated_at: { type: 'datetime', column: 'updated_at' },
  },
  textColumns: ['name'],
  defaultSorts: [{ property: 'created_at', direction: 'desc' }],
  representation: DealRepresentation,
  select: [sql`(select to_jsonb(p.*) from ${sql.table(PIPELINES)} p where p.id = ${sql.ref(`${DEALS}.pipeline_id`)}) as pipeline`],
  // The list route's scope: a sales rep sees the deals they own.
  scope: (scope) => (scope.kind === 'owner' ? sql<boolean>`${sql.ref(`${DEALS}.owner_id`)} = ${param.uuid(scope.ownerId)}` : undefined),
  represent: (rows, services) => {
    const now = services.deals.now();
    return rows.map((row) => {
      const pipeline = row.pipeline as PipelineRow | string;
      return dealBody(rowToDeal(row as DealRow), rowToPipeline(typeof pipeline === 'string' ? JSON.parse(pipeline) : pipeline), now);
    });
  },
};
