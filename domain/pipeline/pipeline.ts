import { validationFailed, type DomainError, type FieldIssue } from '../errors.js';
import type { AggregateRoot } from '../shared/aggregate-change.js';
import { parseCurrency, type CurrencyCode } from '../shared/money.js';
import { err, ok, type Result } from '../shared/result.js';
import { textProblem } from '../shared/text.js';
import type { Timestamp } from '../shared/timestamp.js';

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

export const DEFAULT_LOST_REASONS = ['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'product_fit', 'other'] as const;

export const MAX_STAGES = 30;
export const MAX_LOST_REASONS = 50;
const MAX_LABEL_LENGTH = 100;
const SLUG = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
const MAX_SLUG_LENGTH = 50;

/** One step of a pipeline. Deals keep the key; labels and probabilities may change later. */
export interface Stage {
  readonly key: string;
  readonly label: string;
  readonly kind: StageKind;
  /** The chance a deal in this stage is won, in [0, 1]: 1 for the won stage, 0 for lost ones. */
  readonly probability: number;
  readonly forecastCategory: ForecastCategory;
}

/** A sales pipeline: ordered stages with exactly one won stage and at least one lost stage. */
export interface Pipeline extends AggregateRoot {
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly stages: readonly Stage[];
  readonly lostReasons: readonly string[];
  readonly createdAt: Timestamp;
}

/** A pipeline's configuration as a caller sends it (create and replace). */
export interface PipelineInput {
  readonly name: string;
  readonly currency: string;
  readonly stages: readonly {
    readonly key: string;
    readonly label: string;
    readonly kind: string;
    readonly probability?: number | undefined;
    readonly forecast_category?: string | undefined;
  }[];
  readonly lost_reasons?: readonly string[] | undefined;
}

export type PipelineDefinition = Pick<Pipeline, 'name' | 'currency' | 'stages' | 'lostReasons'>;

/** What a stage's forecast category is when the caller does not say: closed for won, omitted for lost. */
function defaultCategory(kind: StageKind, probability: number): ForecastCategory {
  if (kind === 'won') return 'closed';
  if (kind === 'lost') return 'omitted';
  return probability >= 0.8 ? 'commit' : probability >= 0.5 ? 'best_case' : 'pipeline';
}

/**
 * Checks a whole pipeline definition and reports every problem at once, each naming its exact
 * path (`stages[2].probability`).
 */
export function parsePipelineDefinition(input: PipelineInput): Result<PipelineDefinition, DomainError> {
  const issues: FieldIssue[] = [];
  const fail = (field: string, message: string) => issues.push({ field, message });

  const name = input.name.trim();
  const nameProblem = textProblem(name);
  if (name.length === 0) fail('name', 'name is required and cannot be blank');
  else if (nameProblem) fail('name', `name ${nameProblem}`);
  else if ([...name].length > 200) fail('name', 'name must be at most 200 characters');

  const currency = parseCurrency(input.currency);
  if (!currency.ok) fail('currency', currency.error);

  const stages: Stage[] = [];
  const keys = new Set<string>();
  if (input.stages.length > MAX_STAGES) fail('stages', `a pipeline has at most ${MAX_STAGES} stages, got ${input.stages.length}`);
  input.stages.forEach((stage, index) => {
    const at = `stages[${index}]`;
    if (!SLUG.test(stage.key) || stage.key.length > MAX_SLUG_LENGTH) {
      fail(
        `${at}.key`,
        `a stage key is a slug of lower-case letters, digits and single underscores (at most ${MAX_SLUG_LENGTH}), e.g. "proposal_sent"`,
      );
    } else if (keys.has(stage.key)) {
      fail(`${at}.key`, `the stage key "${stage.key}" is used twice; keys are unique in a pipeline`);
    }
    keys.add(stage.key);
    const label = stage.label.trim();
    const labelProblem = textProblem(label);
    if (label.length === 0) fail(`${at}.label`, 'a stage label is required and cannot be blank');
    else if (labelProblem) fail(`${at}.label`, `label ${labelProblem}`);
    else if ([...label].length > MAX_LABEL_LENGTH) fail(`${at}.label`, `label must be at most ${MAX_LABEL_LENGTH} characters`);
    if (!(STAGE_KINDS as readonly string[]).includes(stage.kind)) {
      fail(`${at}.kind`, `kind must be one of ${STAGE_KINDS.join(', ')}`);
      return;
    }
    const kind = stage.kind as StageKind;
    const fixed = kind === 'won' ? 1 : kind === 'lost' ? 0 : undefined;
    const probability = stage.probability ?? fixed;
    if (probability === undefined) {
      fail(`${at}.probability`, 'an open stage needs a probability between 0 and 1');
    } else if (!Number.isFinite(probability) || probability < 0 || probability > 1) {
      fail(`${at}.probability`, 'probability must be a number between 0 and 1');
    } else if (fixed !== undefined && probability !== fixed) {
      fail(`${at}.probability`, `a ${kind} stage has probability ${fixed}`);
    }
    const category = stage.forecast_category ?? defaultCategory(kind, probability ?? 0);
    if (!(FORECAST_CATEGORIES as readonly string[]).includes(category)) {
      fail(`${at}.forecast_category`, `forecast_category must be one of ${FORECAST_CATEGORIES.join(', ')}`);
    }
    stages.push({ key: stage.key, label, kind, probability: probability ?? 0, forecastCategory: category as ForecastCategory });
  });
  const won = stages.filter((stage) => stage.kind === 'won').length;
  if (won !== 1) fail('stages', `a pipeline has exactly one won stage, this one has ${won}`);
  if (!stages.some((stage) => stage.kind === 'lost')) fail('stages', 'a pipeline needs at least one lost stage');
  if (!stages.some((stage) => stage.kind === 'open')) fail('stages', 'a pipeline needs at least one open stage');

  const lostReasons = [...(input.lost_reasons ?? DEFAULT_LOST_REASONS)];
  if (lostReasons.length === 0) fail('lost_reasons', 'give at least one lost reason (or leave it out for the defaults)');
  if (lostReasons.length > MAX_LOST_REASONS) fail('lost_reasons', `at most ${MAX_LOST_REASONS} lost reasons`);
  lostReasons.forEach((reason, index) => {
    if (!SLUG.test(reason) || reason.length > MAX_SLUG_LENGTH)
      fail(`lost_reasons[${index}]`, 'a lost reason is a slug such as "no_budget"');
  });
  if (new Set(lostReasons).size !== lostReasons.length) fail('lost_reasons', 'lost reasons must be unique');

  if (issues.length > 0) return err(validationFailed(issues));
  return ok({ name, currency: (currency as { value: CurrencyCode }).value, stages, lostReasons });
}

export function stageOf(pipeline: Pick<Pipeline, 'stages'>, key: string): Stage | undefined {
  return pipeline.stages.find((stage) => stage.key === key);
}

/** The stage a new deal starts in when none is named: the first open one. */
export function firstOpenStage(pipeline: Pick<Pipeline, 'stages'>): Stage {
  const stage = pipeline.stages.find((candidate) => candidate.kind === 'open');
  if (!stage) throw new Error('a pipeline always has an open stage');
  return stage;
}

/** Stage keys a replacement removes: the ones deals may still be in. */
export function removedStageKeys(current: Pick<Pipeline, 'stages'>, next: Pick<Pipeline, 'stages'>): string[] {
  const kept = new Set(next.stages.map((stage) => stage.key));
  return current.stages.map((stage) => stage.key).filter((key) => !kept.has(key));
}

/** The default pipeline the migration creates, so POST /deals works out of the box. */
export const DEFAULT_PIPELINE_ID = '00000000-0000-7000-8000-000000000001';
export const DEFAULT_PIPELINE: PipelineInput = {
  name: 'Sales pipeline',
  currency: 'EUR',
  stages: [
    { key: 'qualification', label: 'Qualification', kind: 'open', probability: 0.1, forecast_category: 'pipeline' },
    { key: 'needs_analysis', label: 'Needs analysis', kind: 'open', probability: 0.25, forecast_category: 'pipeline' },
    { key: 'proposal', label: 'Proposal', kind: 'open', probability: 0.5, forecast_category: 'best_case' },
    { key: 'negotiation', label: 'Negotiation', kind: 'open', probability: 0.8, forecast_category: 'commit' },
    { key: 'won', label: 'Closed won', kind: 'won', probability: 1, forecast_category: 'closed' },
    { key: 'lost', label: 'Closed lost', kind: 'lost', probability: 0, forecast_category: 'omitted' },
  ],
};
