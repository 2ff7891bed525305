import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Deal, DealPatchableField } from '../../domain/deal/deal.js';
import type { DealEventType } from '../../domain/deal/deal.events.js';
import type { Pipeline } from '../../domain/pipeline/pipeline.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { createAggregateStore } from '../kit/aggregate-store.js';
import type { RowScope } from '../kit/aggregate-table.js';
import { PIPELINES, rowToPipeline, type PipelineRow } from '../pipelines/pipeline-table.js';
import { DEAL_TABLE, DEALS, rowToDeal, type DealRow } from './deal-table.js';

/** Who sees which deals: a sales rep only the deals they own. */
export interface DealVisibility {
  readonly ownerId?: string | undefined;
}

export const DEAL_SORTS = ['-created_at', '-updated_at', 'expected_close_date', '-amount'] as const;
export type DealSort = (typeof DEAL_SORTS)[number];

export interface DealListQuery {
  readonly pipelineId?: string | undefined;
  readonly stage?: string | undefined;
  readonly status?: string | undefined;
  readonly ownerId?: string | undefined;
  readonly companyId?: string | undefined;
  /** The primary customer or one of the contacts. */
  readonly customerId?: string | undefined;
  readonly closeFrom?: string | undefined;
  readonly closeTo?: string | undefined;
  readonly currency?: string | undefined;
  readonly amountMin?: number | undefined;
  readonly amountMax?: number | undefined;
  readonly forecastCategory?: string | undefined;
  readonly tag?: string | undefined;
  readonly sort: DealSort;
  readonly limit: number;
  readonly after?: { readonly key: string; readonly id: string } | undefined;
}

/** A deal with the pipeline it is in, for what every read derives (probability, forecast category). */
export interface DealWithPipeline {
  readonly deal: Deal;
  readonly pipeline: Pipeline;
}

export function dealScope(visibility: DealVisibility = {}): RowScope {
  return visibility.ownerId === undefined ? undefined : sql<boolean>`owner_id = ${param.uuid(visibility.ownerId)}`;
}

// The keyset column of each sort; nulls (no close date, no amount) sort last and are keyed by a sentinel.
const SORT_KEYS: Record<DealSort, { column: string; type: string; descending: boolean; sentinel: string }> = {
  '-created_at': { column: 'created_at', type: 'timestamptz', descending: true, sentinel: '' },
  '-updated_at': { column: 'updated_at', type: 'timestamptz', descending: true, sentinel: '' },
  expected_close_date: { column: 'expected_close_date', type: 'date', descending: false, sentinel: '9999-12-31' },
  '-amount': { column: 'amount_minor', type: 'bigint', descending: true, sentinel: '-1' },
};

/** Deals in PostgreSQL: the write kit's one-statement writes, and reads joined to their pipeline. */
export function createDealRepository(db: Kysely<Database>) {
  const store = createAggregateStore<Deal, DealPatchableField, DealEventType>(db, DEAL_TABLE);
  const withPipeline = (where: RawBuilder<boolean>) => sql<DealRow & { pipeline: PipelineRow | string }>`
    select d.*, to_jsonb(p.*) as pipeline
    from ${sql.table(DEALS)} d join ${sql.table(PIPELINES)} p on p.id = d.pipeline_id
    where d.deleted_at is null and ${where}`;
  const toPair = (row: DealRow & { pipeline: PipelineRow | string }): DealWithPipeline => ({
    deal: rowToDeal(row),
    pipeline: rowToPipeline(typeof row.pipeline === 'string' ? JSON.parse(row.pipeline) : row.pipeline),
  });

  return {
    store,
    insert: (deal: Deal, event: Parameters<typeof store.insert>[1], guards: readonly RawBuilder<boolean>[]) =>
      store.insert(deal, event, { guards }),

    async findWithPipeline(id: string, visibility: DealVisibility = {}): Promise<DealWithPipeline | null> {
      const owner = visibility.ownerId === undefined ? sql`true` : sql`d.owner_id = ${param.uuid(visibility.ownerId)}`;
      const { rows } = await withPipeline(sql<boolean>`d.id = ${param.uuid(id)} and ${owner}`).execute(db);
      return rows[0] ? toPair(rows[0]) : null;
    },

    async findIdByExternalId(externalId: string, visibility: DealVisibility = {}): Promise<string | null> {
      let select = db.selectFrom(DEALS).select('id').where('deleted_at', 'is', null).where('external_id', '=', externalId);
      if (visibility.ownerId !== undefined) select = select.where('owner_id', '=', param.uuid(visibility.ownerId));
      return (await select.executeTakeFirst())?.id ?? null;
    },

    async list(query: DealListQuery): Promise<{ items: DealWithPipeline[]; next: { key: string; id: string } | null }> {
      const where: RawBuilder<boolean>[] = [];
      if (query.pipelineId) where.push(sql`d.pipeline_id = ${param.uuid(query.pipelineId)}`);
      if (query.stage) where.push(sql`d.stage = ${query.stage}`);
      if (query.status) where.push(sql`d.status = ${query.status}`);
      if (query.ownerId) where.push(sql`d.owner_id = ${param.uuid(query.ownerId)}`);
      if (query.companyId) where.push(sql`d.company_id = ${param.uuid(query.companyId)}`);
      if (query.customerId) {
        where.push(
          sql`(d.primary_customer_id = ${param.uuid(query.customerId)} or d.contacts @> ${param.jsonb([{ customer_id: query.customerId }])})`,
        );
      }
      if (query.closeFrom) where.push(sql`d.expected_close_date >= cast(${query.closeFrom} as date)`);
      if (query.closeTo) where.push(sql`d.expected_close_date <= cast(${query.closeTo} as date)`);
      if (query.currency) where.push(sql`d.currency = ${query.currency}`);
      if (query.amountMin !== undefined) where.push(sql`d.amount_minor >= cast(${String(query.amountMin)} as bigint)`);
      if (query.amountMax !== undefined) where.push(sql`d.amount_minor <= cast(${String(query.amountMax)} as bigint)`);
      if (query.tag) where.push(sql`d.tags @> ${param.jsonb([query.tag])}`);
      if (query.forecastCategory) {
        // The forecast category is derived: the override, else the category of the deal's stage in its pipeline.
        where.push(sql`coalesce(d.forecast_category_override, (
          select s.value ->> 'forecast_category' from jsonb_array_elements(p.stages) as s(value) where s.value ->> 'key' = d.stage
        )) = ${query.forecastCategory}`);
      }
      const order = SORT_KEYS[query.sort];
      // Nulls (no close date, no amount) are keyed by a sentinel so they sort last and page like any value.
      const keyExpression =
        order.column === 'created_at' || order.column === 'updated_at'
          ? sql.ref(`d.${order.column}`)
          : sql`coalesce(${sql.ref(`d.${order.column}`)}, cast(${order.sentinel} as ${sql.raw(order.type)}))`;
      if (query.after) {
        const operator = sql.raw(order.descending ? '<' : '>');
        where.push(
          sql`(${keyExpression}, d.id) ${operator} (cast(${query.after.key} as ${sql.raw(order.type)}), ${param.uuid(query.after.id)})`,
        );
      }
      const direction = sql.raw(order.descending ? 'desc' : 'asc');
      const { rows } = await sql<DealRow & { pipeline: PipelineRow | string }>`
        select d.*, to_jsonb(p.*) as pipeline
        from ${sql.table(DEALS)} d join ${sql.table(PIPELINES)} p on p.id = d.pipeline_id
        where d.deleted_at is null ${where.length > 0 ? sql`and ${sql.join(where, sql` and `)}` : sql``}
        order by ${keyExpression} ${direction}, d.id ${direction}
        limit ${query.limit + 1}`.execute(db);
      const items = rows.slice(0, query.limit).map(toPair);
      const last = rows[Math.min(rows.length, query.limit) - 1];
      return { items, next: rows.length > query.limit && last ? { key: keyOf(last, order.column), id: last.id } : null };
    },
  };
}

/** The cursor key of a row: the sort column as text PostgreSQL can cast back. */
function keyOf(row: DealRow, column: string): string {
  if (column === 'amount_minor') return row.amount_minor === null ? '-1' : String(row.amount_minor);
  if (column === 'expected_close_date') {
    const value = row.expected_close_date;
    return value === null ? '9999-12-31' : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
  }
  const value = row[column as 'created_at' | 'updated_at'];
  return value instanceof Date ? value.toISOString() : new Date(`${String(value).replace(' ', 'T')}Z`).toISOString();
}

export type DealRepository = ReturnType<typeof createDealRepository>;
