import { sql, type Kysely, type Selectable } from 'kysely';
import type { BgNbdParameters } from '../../domain/analytics/bg-nbd-model.js';
import type { CurrencyModel } from '../../domain/analytics/customer-insight.js';
import type { GammaGammaParameters } from '../../domain/analytics/gamma-gamma.js';
import type { RfmCutPoints } from '../../domain/analytics/rfm.js';
import type { RfmSegment } from '../../domain/analytics/rfm-segments.js';
import type { Database } from '../db/database.js';
import { fromJsonb, param, toIsoTimestamp } from '../db/sql-values.js';
import { INSIGHTS, MODELS, RUNS, type AnalyticsModelsTable } from './analytics-tables.js';
import type { RunSettings } from './analytics-run-store.js';

/** Customers, revenue and average CLV of one RFM segment under one model (minor units of the model's currency). */
export interface SegmentSummary {
  readonly segment: RfmSegment;
  readonly customers: number;
  readonly revenueMinor: number;
  readonly averageClvMinor: number;
}

export interface StoredModel {
  readonly id: string;
  readonly runId: string;
  readonly currency: string;
  readonly asOf: string;
  /** The first counted order of the currency: the data window is [dataFrom, asOf]. */
  readonly dataFrom: string;
  readonly customers: number;
  readonly fittedCustomers: number;
  readonly repeatCustomers: number;
  readonly excludedZeroSpend: number;
  readonly bgNbd: BgNbdParameters;
  readonly bgNbdLogLikelihood: number;
  /** γ in minor units. */
  readonly gammaGamma: GammaGammaParameters;
  readonly gammaGammaLogLikelihood: number;
  readonly frequencySpendCorrelation: number | null;
  readonly converged: boolean;
  readonly cutPoints: RfmCutPoints;
  readonly settings: RunSettings;
  /** Filled when the run has scored everyone; null before. */
  readonly segments: readonly SegmentSummary[] | null;
  readonly fitMs: number;
  readonly fittedAt: string;
}

function rowToModel(row: Selectable<AnalyticsModelsTable>): StoredModel {
  return {
    id: row.id,
    runId: row.run_id,
    currency: row.currency,
    asOf: toIsoTimestamp(row.as_of),
    dataFrom: toIsoTimestamp(row.data_from),
    customers: Number(row.customers),
    fittedCustomers: Number(row.fitted_customers),
    repeatCustomers: Number(row.repeat_customers),
    excludedZeroSpend: Number(row.excluded_zero_spend),
    bgNbd: fromJsonb(row.bg_nbd) as unknown as BgNbdParameters,
    bgNbdLogLikelihood: Number(row.bg_nbd_log_likelihood),
    gammaGamma: fromJsonb(row.gamma_gamma) as unknown as GammaGammaParameters,
    gammaGammaLogLikelihood: Number(row.gamma_gamma_log_likelihood),
    frequencySpendCorrelation: row.frequency_spend_correlation === null ? null : Number(row.frequency_spend_correlation),
    converged: row.converged,
    cutPoints: fromJsonb(row.rfm_cut_points) as unknown as RfmCutPoints,
    settings: fromJsonb(row.options) as unknown as RunSettings,
    segments: row.segments === null ? null : (fromJsonb(row.segments) as SegmentSummary[]),
    fitMs: Number(row.fit_ms),
    fittedAt: toIsoTimestamp(row.fitted_at),
  };
}

/** JSON cannot carry NaN: a correlation over fewer than two customers is stored as null. */
const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

export interface NewModel {
  readonly id: string;
  readonly runId: string;
  readonly asOf: string;
  readonly dataFrom: string;
  readonly model: CurrencyModel;
  readonly settings: RunSettings;
  readonly fitMs: number;
}

/** Fitted models: one per run and currency, kept after later runs (the history of fits). */
export function createAnalyticsModelStore(db: Kysely<Database>) {
  return {
    async save(model: NewModel, now: Date): Promise<void> {
      const { bgNbd, gammaGamma } = model.model;
      await db
        .insertInto(MODELS)
        .values({
          id: param.uuid(model.id),
          run_id: param.uuid(model.runId),
          currency: model.model.currency,
          as_of: param.timestamptz(model.asOf),
          data_from: param.timestamptz(model.dataFrom),
          customers: model.model.customers,
          fitted_customers: model.model.fittedCustomers,
          repeat_customers: gammaGamma.customers + gammaGamma.excludedZeroSpend,
          excluded_zero_spend: gammaGamma.excludedZeroSpend,
          bg_nbd: param.jsonb(bgNbd.parameters),
          bg_nbd_log_likelihood: bgNbd.logLikelihood,
          gamma_gamma: param.jsonb(gammaGamma.parameters),
          gamma_gamma_log_likelihood: gammaGamma.logLikelihood,
          frequency_spend_correlation: finiteOrNull(gammaGamma.frequencySpendCorrelation),
          converged: bgNbd.converged && gammaGamma.converged,
          rfm_cut_points: param.jsonb(model.model.cutPoints),
          options: param.jsonb(model.settings),
          segments: null,
          fit_ms: Math.round(model.fitMs),
          fitted_at: param.timestamptz(now.toISOString()),
        })
        // An invocation repeating a fit that was already saved keeps the first.
        .onConflict((conflict) => conflict.columns(['run_id', 'currency']).doNothing())
        .execute();
    },

    async get(id: string): Promise<StoredModel | null> {
      const row = await db.selectFrom(MODELS).selectAll().where('id', '=', param.uuid(id)).executeTakeFirst();
      return row ? rowToModel(row) : null;
    },

    async forRun(runId: string): Promise<StoredModel[]> {
      const rows = await db.selectFrom(MODELS).selectAll().where('run_id', '=', param.uuid(runId)).orderBy('currency').execute();
      return rows.map(rowToModel);
    },

    /** The newest model of a currency from a finished run, as of `asOf` or earlier (any date when undefined). */
    async latest(currency: string, asOf?: string): Promise<StoredModel | null> {
      const row = await db
        .selectFrom(MODELS)
        .selectAll(MODELS)
        .innerJoin(RUNS, `${RUNS}.id`, `${MODELS}.run_id`)
        .where(`${RUNS}.state`, '=', 'succeeded')
        .where(`${MODELS}.currency`, '=', currency)
        .$if(asOf !== undefined, (query) => query.where(`${MODELS}.as_of`, '<=', param.timestamptz(asOf!)))
        .orderBy(`${MODELS}.as_of`, 'desc')
        .orderBy(`${MODELS}.fitted_at`, 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? rowToModel(row) : null;
    },

    /** Stores the segment sizes of a model once every customer is scored: one aggregate over its insights. */
    async summariseSegments(modelId: string): Promise<void> {
      await sql`
        update ${sql.table(MODELS)} set segments = coalesce((
          select jsonb_agg(jsonb_build_object('segment', s.segment, 'customers', s.customers,
                   'revenueMinor', s.revenue, 'averageClvMinor', s.average_clv) order by s.segment)
          from (select segment, count(*) as customers, sum(total_spend_minor) as revenue, avg(clv) as average_clv
                from ${sql.table(INSIGHTS)} where model_id = ${param.uuid(modelId)} group by segment) s
        ), '[]'::jsonb)
        where id = ${param.uuid(modelId)}`.execute(db);
    },
  };
}

export type AnalyticsModelStore = ReturnType<typeof createAnalyticsModelStore>;
