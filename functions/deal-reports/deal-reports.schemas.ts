import * as z from 'zod';
import { FORECAST_CATEGORIES, STAGE_KINDS } from '../../domain/pipeline/pipeline.js';
import { isoTimestamp } from '../http/clean-input.js';
import { single } from '../http/query-parameters.js';
import { FORECAST_PERIODS } from './report-window.js';
import { WIN_RATE_GROUPS } from './win-rate-report.js';

// Query parameters: every one optional with a documented default, each checked here (400 with its name).
const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });
const currency = z.string({ error: 'must be a string' }).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, such as EUR or USD');
const instant = isoTimestamp({ allowDate: true });
const from = single(instant).optional().describe('start of the window, inclusive (default: 90 days before `to`)');
const to = single(instant).optional().describe('end of the window, exclusive (default: now); at most 731 days after `from`');
const pipelineId = single(uuid).optional().describe('default: the default pipeline');

export const PipelineReportQuery = z.strictObject({
  pipeline_id: pipelineId,
  owner_id: single(uuid).optional().describe("only this owner's deals"),
  currency: single(currency).optional().describe('only deals in this currency'),
});

export const ForecastQuery = z.strictObject({
  pipeline_id: single(uuid).optional().describe('default: every pipeline'),
  period: single(z.enum(FORECAST_PERIODS, { error: `must be one of ${FORECAST_PERIODS.join(', ')}` })).default('month'),
  from: single(instant).optional().describe('a day in the first period (default: today)'),
  to: single(instant).optional().describe('a day in the last period (default: 3 months or 4 quarters in all); at most 24 periods'),
  group_by: single(z.enum(['owner', 'none'], { error: 'must be one of owner, none' })).default('none'),
});

export const WinRateQuery = z.strictObject({
  from,
  to,
  group_by: single(z.enum([...WIN_RATE_GROUPS, 'none'], { error: `must be one of ${WIN_RATE_GROUPS.join(', ')}, none` })).default('none'),
});

export const SalesVelocityQuery = z.strictObject({ from, to });

export const StageConversionQuery = z.strictObject({
  pipeline_id: pipelineId,
  from: single(instant).optional().describe('deals created from, inclusive (default: 90 days before `to`)'),
  to: single(instant).optional().describe('deals created before, exclusive (default: now); at most 731 days after `from`'),
});

// Representations: every money figure sits in an entry of its own currency.
const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const code = z
  .string()
  .length(3)
  .meta({ examples: ['EUR'] });
const count = z.int().min(0);
const minor = z.int().min(0).describe('minor units of the entry’s currency');
const rate = z.number().min(0).max(1).nullable().describe('a share in [0, 1], 4 decimals; null when nothing was closed');
const window = { from: timestamp, to: timestamp };

const stageMoney = z.strictObject({ currency: code, deals: count, amount_minor: minor, weighted_amount_minor: minor });

export const PipelineReportRepresentation = z
  .strictObject({
    pipeline_id: z.uuid(),
    pipeline_name: z.string(),
    as_of: timestamp,
    stages: z.array(
      z.strictObject({
        key: z.string(),
        label: z.string(),
        probability: z.number().min(0).max(1),
        forecast_category: z.enum(FORECAST_CATEGORIES),
        deals: count,
        average_days_in_stage: z.number().min(0).nullable(),
        currencies: z.array(stageMoney),
      }),
    ),
    totals: z.array(stageMoney),
  })
  .meta({ title: 'PipelineReport' });

export const ForecastRepresentation = z
  .strictObject({
    period: z.enum(FORECAST_PERIODS),
    group_by: z.enum(['owner', 'none']),
    pipeline_id: z.uuid().nullable(),
    periods: z.array(
      z.strictObject({
        label: z.string().meta({ examples: ['2026-11', '2026-Q4'] }),
        start: date,
        end: date,
        figures: z.array(
          z.strictObject({
            owner_id: z.uuid().nullable().optional().describe('with group_by=owner'),
            currency: code,
            deals: count,
            closed_won_minor: minor,
            commit_minor: minor,
            best_case_minor: minor,
            pipeline_minor: minor,
            weighted_minor: minor,
          }),
        ),
      }),
    ),
  })
  .meta({ title: 'Forecast' });

export const WinRateRepresentation = z
  .strictObject({
    ...window,
    group_by: z.enum([...WIN_RATE_GROUPS, 'none']),
    groups: z.array(
      z.strictObject({
        key: z.string().nullable().describe('the owner id, pipeline id or source; null for no owner, or without group_by'),
        won: count,
        lost: count,
        win_rate: rate,
        currencies: z.array(
          z.strictObject({
            currency: code,
            won: count,
            lost: count,
            won_minor: minor,
            lost_minor: minor,
            win_rate_by_amount: rate,
          }),
        ),
        lost_reasons: z.array(z.strictObject({ reason: z.string(), deals: count, share: rate })),
      }),
    ),
    other_groups: count.describe('groups left out beyond the 100 with most closed deals'),
  })
  .meta({ title: 'WinRate' });

export const SalesVelocityRepresentation = z
  .strictObject({
    ...window,
    currencies: z.array(
      z.strictObject({
        currency: code,
        open_deals: count,
        won: count,
        lost: count,
        win_rate: rate,
        average_won_minor: minor.nullable(),
        average_sales_cycle_days: z.number().min(0).nullable(),
        velocity_minor_per_day: minor.nullable(),
      }),
    ),
  })
  .meta({ title: 'SalesVelocity' });

export const StageConversionRepresentation = z
  .strictObject({
    ...window,
    pipeline_id: z.uuid(),
    deals: count.describe('deals of the pipeline created in the window'),
    stages: z.array(
      z.strictObject({
        key: z.string(),
        label: z.string().nullable(),
        kind: z.enum(STAGE_KINDS).nullable(),
        removed: z.boolean(),
        reached: count,
        won: count,
        win_rate: rate,
      }),
    ),
  })
  .meta({ title: 'StageConversion' });
