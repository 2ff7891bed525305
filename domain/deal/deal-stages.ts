import type { DomainError } from '../errors.js';
import type { AggregateChange, Precondition } from '../shared/aggregate-change.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Timestamp } from '../shared/timestamp.js';
import { stageOf, type Pipeline, type Stage, type StageKind } from '../pipeline/pipeline.js';
import type { Deal, DealPatchableField, DealStatus } from './deal.js';
import type { DealEventType } from './deal.events.js';

export type DealChange = AggregateChange<Deal, DealEventType, DealPatchableField>;

/**
 * The deal's stage commands, and the only place that encodes which status each starts from and
 * which kind of stage it ends in.
 */
export const DEAL_TRANSITIONS = {
  move: { from: ['open'], to: 'open', event: 'DealStageChanged' },
  win: { from: ['open'], to: 'won', event: 'DealWon' },
  lose: { from: ['open'], to: 'lost', event: 'DealLost' },
  reopen: { from: ['won', 'lost'], to: 'open', event: 'DealReopened' },
} as const satisfies Record<string, { from: readonly DealStatus[]; to: StageKind; event: DealEventType }>;

export type StageCommand = keyof typeof DEAL_TRANSITIONS;
export const STAGE_COMMANDS = Object.keys(DEAL_TRANSITIONS) as StageCommand[];

export function commandsAllowedFrom(status: DealStatus): StageCommand[] {
  return STAGE_COMMANDS.filter((command) => (DEAL_TRANSITIONS[command].from as readonly DealStatus[]).includes(status));
}

export interface CloseInput {
  /** When the deal closed; not in the future. Defaults to now, so history can be imported. */
  readonly closedAt?: Timestamp | undefined;
  /** A won or lost stage of the pipeline; defaults to its (first) stage of that kind. */
  readonly stage?: string | undefined;
}

export interface LoseInput extends CloseInput {
  readonly reason: string;
  readonly note?: string | null | undefined;
  readonly competitor?: string | null | undefined;
}

const SECOND_MS = 1000;

/**
 * Builds a stage command against the deal as loaded and its pipeline. The change requires the
 * deal to still be in that stage, so what its event snapshots (from → to, seconds in the
 * previous stage) is true when it commits; a concurrent move makes the caller build it again.
 */
export function stageCommand(
  deal: Deal,
  pipeline: Pick<Pipeline, 'stages' | 'lostReasons'>,
  command: StageCommand,
  now: Timestamp,
  input: { readonly stage?: string | undefined; readonly closedAt?: Timestamp | undefined; readonly lost?: LoseInput | undefined } = {},
): Result<DealChange, DomainError> {
  const step = DEAL_TRANSITIONS[command];
  if (!(step.from as readonly DealStatus[]).includes(deal.status)) return err(invalidTransition(deal.status, command));
  const current = stageOf(pipeline, deal.stage);
  const target = targetStage(deal, pipeline, command, input.stage);
  if (!target.ok) return target;
  const to = target.value;
  if (command === 'lose' && !pipeline.lostReasons.includes(input.lost?.reason ?? '')) {
    return err({
      code: 'DEAL.UNKNOWN_LOST_REASON',
      message: `lost_reason must be one of the pipeline's reasons: ${pipeline.lostReasons.join(', ')}.`,
      details: { allowed_reasons: [...pipeline.lostReasons] },
    });
  }

  const order = (key: string) => pipeline.stages.findIndex((stage) => stage.key === key);
  const closedAt = input.closedAt ?? now;
  const set: Partial<Deal> = {
    stage: to.key,
    status: to.kind,
    stageEnteredAt: step.to === 'open' ? now : closedAt,
    ...(command === 'win' || command === 'lose' ? { closedAt, lastOpenStage: deal.stage } : {}),
    ...(command === 'lose' && input.lost
      ? { lost: { reason: input.lost.reason, note: input.lost.note ?? null, competitor: input.lost.competitor ?? null } }
      : {}),
    ...(command === 'reopen' ? { closedAt: null, lost: null, lastOpenStage: null } : {}),
  };
  const note = {
    stage: { from: deal.stage, to: to.key },
    probability: { from: current?.probability ?? null, to: to.probability },
    forecast_category: { from: current?.forecastCategory ?? null, to: to.forecastCategory },
    direction: order(to.key) >= order(deal.stage) ? 'forward' : 'backward',
    // A close recorded at an earlier closed_at left the previous stage then, not now.
    seconds_in_previous_stage: Math.max(0, Math.round((Date.parse(set.stageEnteredAt!) - Date.parse(deal.stageEnteredAt)) / SECOND_MS)),
  };
  return ok({ event: step.event, set, requires: [stillIn(deal)], note });
}

function targetStage(
  deal: Deal,
  pipeline: Pick<Pipeline, 'stages'>,
  command: StageCommand,
  named: string | undefined,
): Result<Stage, DomainError> {
  const kind = DEAL_TRANSITIONS[command].to;
  const key =
    command === 'reopen' ? (deal.lastOpenStage ?? firstOfKind(pipeline, 'open')?.key) : (named ?? firstOfKind(pipeline, kind)?.key);
  const stage = key === undefined ? undefined : stageOf(pipeline, key);
  if (!stage) {
    return err({
      code: 'DEAL.UNKNOWN_STAGE',
      message: `The pipeline has no stage "${key ?? ''}". Its stages are: ${pipeline.stages.map((candidate) => candidate.key).join(', ')}.`,
      details: { stages: pipeline.stages.map((candidate) => candidate.key) },
    });
  }
  if (command === 'move' && stage.kind !== 'open') {
    return err({
      code: 'DEAL.USE_CLOSE_COMMAND',
      message: `"${stage.key}" is a ${stage.kind} stage: use POST /deals/{id}/${stage.kind === 'won' ? 'win' : 'lose'} to close a deal.`,
      details: { stage: stage.key, kind: stage.kind, command: stage.kind === 'won' ? 'win' : 'lose' },
    });
  }
  if (stage.kind !== kind) {
    return err({
      code: 'DEAL.UNKNOWN_STAGE',
      message: `"${stage.key}" is a ${stage.kind} stage, not a ${kind} one.`,
      details: { stage: stage.key, kind: stage.kind },
    });
  }
  return ok(stage);
}

// A reopened deal whose last open stage was removed from the pipeline goes to the first open stage.
function firstOfKind(pipeline: Pick<Pipeline, 'stages'>, kind: StageKind): Stage | undefined {
  return pipeline.stages.find((stage) => stage.kind === kind);
}

function stillIn(deal: Deal): Precondition<Deal> {
  return {
    field: 'stage',
    oneOf: [deal.stage],
    refusal: (current) =>
      current.status === deal.status
        ? {
            code: 'DEAL.VERSION_MISMATCH',
            message: `The deal moved from "${deal.stage}" to "${current.stage}" meanwhile. Read it again and retry.`,
            details: { current_version: current.version, current_stage: current.stage },
          }
        : invalidTransition(current.status, 'move'),
  };
}

export function invalidTransition(status: DealStatus, command: StageCommand): DomainError {
  const allowed = commandsAllowedFrom(status);
  return {
    code: 'DEAL.INVALID_TRANSITION',
    message:
      `Cannot ${command} a deal that is ${status}: ${command} applies to ${DEAL_TRANSITIONS[command].from.join(' or ')} deals. ` +
      `From '${status}' you can: ${allowed.join(', ')}.`,
    details: { current_status: status, allowed_commands: allowed },
  };
}
