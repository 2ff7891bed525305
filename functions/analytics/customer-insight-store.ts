import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ChurnRiskBand } from '../../domain/analytics/churn-risk.js';
import type { CustomerInsight } from '../../domain/analytics/customer-insight.js';
import { CUSTOMER_INSIGHT_AGGREGATE } from '../../domain/analytics/customer-insight.events.js';
import type { RfmSegment } from '../../domain/analytics/rfm-segments.js';
import type { Database } from '../db/database.js';
import { param, toIsoTimestamp } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';
import { INSIGHTS } from './analytics-tables.js';

/** A stored insight: the scores with the model they came from. */
export interface StoredInsight extends CustomerInsight {
  readonly modelId: string;
  readonly updatedAt: string;
}

export interface InsightBatch {
  readonly modelId: string;
  readonly insights: readonly CustomerInsight[];
  /** Who the events name as actor. */
  readonly actor: string;
  readonly now: string;
  /** A fresh id per insight: the new row's id (its stream) and the event id, used only when needed. */
  readonly newId: () => string;
}

const CUSTOMERS = 'customer_mgmt_customers';

/** Reads an insight row as pg (numbers, Date) or the Data API (strings) returns it. */
export function rowToInsight(row: Record<string, any>): StoredInsight {
  return {
    customerId: row.customer_id,
    currency: String(row.currency),
    asOf: toIsoTimestamp(row.as_of),
    recencyDays: Number(row.recency_days),
    transactions: Number(row.transactions),
    totalSpendMinor: Number(row.total_spend_minor),
    recencyScore: Number(row.recency_score),
    frequencyScore: Number(row.frequency_score),
    monetaryScore: Number(row.monetary_score),
    segment: row.segment as RfmSegment,
    pAlive: Number(row.p_alive),
    expectedTransactions: Number(row.expected_transactions),
    expectedOrderValue: Number(row.expected_order_value),
    clv: Number(row.clv),
    churnRiskScore: Number(row.churn_risk_score),
    churnRisk: row.churn_risk as ChurnRiskBand,
    suggestedCommand: row.suggested_command ?? null,
    modelId: row.model_id,
    updatedAt: toIsoTimestamp(row.updated_at),
  };
}

/** `suggested_command` is derived, not stored: the status may have changed since the run (see domain suggestedCommand). */
export const SUGGESTED_COMMAND_SQL = sql<string | null>`case when c.status = 'customer' and i.churn_risk = 'high' then 'churn' end`;

export const INSIGHT_SORTS = ['-clv', '-p_alive'] as const;
export type InsightSort = (typeof INSIGHT_SORTS)[number];

export interface InsightListQuery {
  readonly currency: string;
  readonly segment?: RfmSegment | undefined;
  readonly churnRisk?: ChurnRiskBand | undefined;
  /** Only the customers assigned to this sales rep. */
  readonly assignedTo?: string | undefined;
  readonly sort: InsightSort;
  readonly limit: number;
  readonly after?: { readonly key: number; readonly customerId: string } | undefined;
}

/** The latest insights per customer and currency: written by runs in batches, read by the API. */
export function createCustomerInsightStore(db: Kysely<Database>) {
  const insights = sql.table(INSIGHTS);

  return {
    /**
     * Upserts a batch of insights and, in the same statement, appends a CustomerChurnRiskChanged event (to the
     * outbox) for every insight whose band differs from the stored one (or that had none). Writing the same batch
     * twice appends nothing the second time, so a partition retried after a crash emits no duplicate.
     * Answers the number of events appended.
     */
    async upsertBatch(batch: InsightBatch): Promise<number> {
      if (batch.insights.length === 0) return 0;
      const rows = batch.insights.map((insight) => ({
        id: batch.newId(),
        event_id: batch.newId(),
        customer_id: insight.customerId,
        currency: insight.currency,
        as_of: insight.asOf,
        recency_days: insight.recencyDays,
        transactions: insight.transactions,
        total_spend_minor: insight.totalSpendMinor,
        recency_score: insight.recencyScore,
        frequency_score: insight.frequencyScore,
        monetary_score: insight.monetaryScore,
        segment: insight.segment,
        p_alive: insight.pAlive,
        expected_transactions: insight.expectedTransactions,
        expected_order_value: insight.expectedOrderValue,
        clv: insight.clv,
        churn_risk_score: insight.churnRiskScore,
        churn_risk: insight.churnRisk,
        suggested_command: insight.suggestedCommand,
      }));
      const now = param.timestamptz(batch.now);
      const modelId = param.uuid(batch.modelId);
      const { rows: result } = await sql<{ emitted: number | string }>`
        with input as (
          select * from jsonb_to_recordset(${param.jsonb(rows)}) as i (
            id uuid, event_id uuid, customer_id uuid, currency text, as_of timestamptz, recency_days integer, transactions integer,
            total_spend_minor bigint, recency_score smallint, frequency_score smallint, monetary_score smallint, segment text,
            p_alive double precision, expected_transactions double precision, expected_order_value double precision,
            clv double precision, churn_risk_score double precision, churn_risk text, suggested_command text)
        ), previous as (
          select s.customer_id, s.currency, s.churn_risk from ${insights} s
          join input i on i.customer_id = s.customer_id and i.currency = s.currency
        ), upserted as (
          insert into ${insights} as s (id, customer_id, currency, model_id, as_of, recency_days, transactions, total_spend_minor,
            recency_score, frequency_score, monetary_score, segment, p_alive, expected_transactions, expected_order_value, clv,
            churn_risk_score, churn_risk, version, updated_at)
          select id, customer_id, currency, ${modelId}, as_of, recency_days, transactions, total_spend_minor, recency_score,
            frequency_score, monetary_score, segment, p_alive, expected_transactions, expected_order_value, clv, churn_risk_score,
            churn_risk, 1, ${now}
          from input
          on conflict (customer_id, currency) do update set
            model_id = excluded.model_id, as_of = excluded.as_of, recency_days = excluded.recency_days,
            transactions = excluded.transactions, total_spend_minor = excluded.total_spend_minor,
            recency_score = excluded.recency_score, frequency_score = excluded.frequency_score,
            monetary_score = excluded.monetary_score, segment = excluded.segment, p_alive = excluded.p_alive,
            expected_transactions = excluded.expected_transactions, expected_order_value = excluded.expected_order_value,
            clv = excluded.clv, churn_risk_score = excluded.churn_risk_score, churn_risk = excluded.churn_risk,
            version = s.version + case when s.churn_risk <> excluded.churn_risk then 1 else 0 end,
            updated_at = excluded.updated_at
          returning s.id, s.customer_id, s.currency, s.churn_risk, s.version
        ), emitted as (
          insert into ${sql.table(EVENTS)} (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data)
          select i.event_id, ${CUSTOMER_INSIGHT_AGGREGATE}, u.id, u.version, 'CustomerChurnRiskChanged', 1, ${now}, ${batch.actor},
            jsonb_build_object(
              'customer_id', i.customer_id, 'currency', i.currency,
              'changes', jsonb_build_object('churn_risk', jsonb_build_object('from', p.churn_risk, 'to', u.churn_risk)),
              'churn_risk_score', i.churn_risk_score, 'p_alive', i.p_alive, 'segment', i.segment,
              'suggested_command', i.suggested_command, 'model_id', ${modelId},
              'as_of', to_char(i.as_of at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
          from upserted u
          join input i on i.customer_id = u.customer_id and i.currency = u.currency
          left join previous p on p.customer_id = u.customer_id and p.currency = u.currency
          where p.churn_risk is distinct from u.churn_risk
          returning 1
        )
        select count(*) as emitted from emitted`.execute(db);
      return Number(result[0]?.emitted ?? 0);
    },

    /** Drops the insights no model of this run wrote: customers with no counted order left as of the run's date. */
    async removeOtherThan(modelIds: readonly string[]): Promise<void> {
      const keep = modelIds.length > 0 ? sql`model_id not in (${sql.join(modelIds.map((id) => param.uuid(id)))})` : sql`true`;
      await sql`delete from ${insights} where ${keep}`.execute(db);
    },

    /** A customer's insights (one per currency, by currency), if the customer is live and visible. */
    async forCustomer(
      customerId: string,
      visibility: { readonly assignedTo?: string | undefined },
      page: { readonly limit: number; readonly after?: string | undefined },
    ): Promise<StoredInsight[]> {
      const { rows } = await sql<Record<string, any>>`
        select i.*, ${SUGGESTED_COMMAND_SQL} as suggested_command
        from ${insights} i join ${sql.table(CUSTOMERS)} c on c.id = i.customer_id and c.deleted_at is null
        where i.customer_id = ${param.uuid(customerId)}
          ${visibility.assignedTo ? sql`and c.assigned_to = ${param.uuid(visibility.assignedTo)}` : sql``}
          ${page.after ? sql`and i.currency > ${page.after}` : sql``}
        order by i.currency
        limit ${page.limit + 1}`.execute(db);
      return rows.map(rowToInsight);
    },

    /** A keyset page of one currency's insights, best first by CLV or P(alive), ties by customer id. */
    async list(query: InsightListQuery): Promise<{ items: StoredInsight[]; hasMore: boolean }> {
      const column = query.sort === '-clv' ? sql.ref('i.clv') : sql.ref('i.p_alive');
      const filters: RawBuilder<unknown>[] = [sql`i.currency = ${query.currency}`];
      if (query.segment) filters.push(sql`i.segment = ${query.segment}`);
      if (query.churnRisk) filters.push(sql`i.churn_risk = ${query.churnRisk}`);
      if (query.assignedTo) filters.push(sql`c.assigned_to = ${param.uuid(query.assignedTo)}`);
      if (query.after)
        filters.push(
          sql`(${column} < ${query.after.key} or (${column} = ${query.after.key} and i.customer_id > ${param.uuid(query.after.customerId)}))`,
        );
      const { rows } = await sql<Record<string, any>>`
        select i.*, ${SUGGESTED_COMMAND_SQL} as suggested_command
        from ${insights} i join ${sql.table(CUSTOMERS)} c on c.id = i.customer_id and c.deleted_at is null
        where ${sql.join(filters, sql` and `)}
        order by ${column} desc, i.customer_id
        limit ${query.limit + 1}`.execute(db);
      return { items: rows.slice(0, query.limit).map(rowToInsight), hasMore: rows.length > query.limit };
    },
  };
}

export type CustomerInsightStore = ReturnType<typeof createCustomerInsightStore>;
