import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../shared/money.js';
import type { Source } from '../shared/source.js';
import { decideChange, type AggregateKind } from '../shared/aggregate-change.js';
import { DEFAULT_PIPELINE, parsePipelineDefinition } from '../pipeline/pipeline.js';
import { DEAL_PUBLIC_NAMES, forecastOf, type Deal, type DealPatchableField } from './deal.js';
import { commandsAllowedFrom, stageCommand, STAGE_COMMANDS, DEAL_TRANSITIONS } from './deal-stages.js';

const parsed = parsePipelineDefinition(DEFAULT_PIPELINE);
if (!parsed.ok) throw new Error('the default pipeline is valid');
const pipeline = parsed.value;

const ENTERED = '2026-01-01T00:00:00.000Z';
const NOW = '2026-01-03T12:00:00.000Z';

const deal = (overrides: Partial<Deal> = {}): Deal => ({
  id: '0190a000-0000-7000-8000-000000000001',
  version: 1,
  lastInteraction: { at: null, revision: 0 },
  name: 'Fleet renewal',
  pipelineId: 'p',
  stage: 'needs_analysis',
  status: 'open',
  amountMinor: 10_000_00,
  currency: 'EUR' as CurrencyCode,
  expectedCloseDate: null,
  closedAt: null,
  lost: null,
  companyId: null,
  primaryCustomerId: 'c',
  contacts: [],
  ownerId: null,
  tags: [],
  source: 'unknown' as Source,
  externalId: null,
  forecastCategoryOverride: null,
  stageEnteredAt: ENTERED,
  lastOpenStage: null,
  createdAt: ENTERED,
  updatedAt: ENTERED,
  deletedAt: null,
  ...overrides,
});

const KIND: AggregateKind<Deal, DealPatchableField> = {
  type: 'deal',
  publicNames: DEAL_PUBLIC_NAMES,
  versionMismatch: () => ({ code: 'DEAL.VERSION_MISMATCH', message: 'x' }),
};
const context = { eventId: 'e', now: NOW, actor: 'a' };

describe('deal stage commands', () => {
  it('the transition table: move, win and lose from open; reopen from won or lost', () => {
    expect(commandsAllowedFrom('open')).toEqual(['move', 'win', 'lose']);
    expect(commandsAllowedFrom('won')).toEqual(['reopen']);
    expect(commandsAllowedFrom('lost')).toEqual(['reopen']);
    expect(STAGE_COMMANDS.map((command) => DEAL_TRANSITIONS[command].event)).toEqual([
      'DealStageChanged',
      'DealWon',
      'DealLost',
      'DealReopened',
    ]);
  });

  it('a move snapshots stage, probability and forecast category as from → to, its direction and the time in the previous stage', () => {
    const change = stageCommand(deal(), pipeline, 'move', NOW, { stage: 'qualification' });
    expect(change.ok && change.value.note).toEqual({
      stage: { from: 'needs_analysis', to: 'qualification' },
      probability: { from: 0.25, to: 0.1 },
      forecast_category: { from: 'pipeline', to: 'pipeline' },
      direction: 'backward',
      seconds_in_previous_stage: 2.5 * 86_400,
    });
    const forward = stageCommand(deal(), pipeline, 'move', NOW, { stage: 'negotiation' });
    expect(forward.ok && forward.value.note?.direction).toBe('forward');
    expect(forward.ok && forward.value.set).toEqual({ stage: 'negotiation', status: 'open', stageEnteredAt: NOW });
  });

  it('a move to a won or lost stage names the close command instead', () => {
    const change = stageCommand(deal(), pipeline, 'move', NOW, { stage: 'won' });
    expect(!change.ok && change.error).toMatchObject({ code: 'DEAL.USE_CLOSE_COMMAND', details: { command: 'win' } });
    const lost = stageCommand(deal(), pipeline, 'move', NOW, { stage: 'lost' });
    expect(!lost.ok && lost.error.details).toMatchObject({ command: 'lose' });
  });

  it('an unknown stage is refused with the stages that exist', () => {
    const change = stageCommand(deal(), pipeline, 'move', NOW, { stage: 'demo' });
    expect(!change.ok && change.error).toMatchObject({
      code: 'DEAL.UNKNOWN_STAGE',
      details: { stages: pipeline.stages.map((s) => s.key) },
    });
  });

  it('win closes at the given time and remembers the open stage; reopen goes back to it', () => {
    const closedAt = '2026-01-02T00:00:00.000Z';
    const win = stageCommand(deal(), pipeline, 'win', NOW, { closedAt });
    expect(win.ok).toBe(true);
    if (!win.ok) return;
    const won = decideChange(KIND, deal(), win.value, context);
    expect(won.ok && won.value.kind === 'changed' && won.value.entity).toMatchObject({
      stage: 'won',
      status: 'won',
      closedAt,
      lastOpenStage: 'needs_analysis',
      version: 2,
    });
    const state = won.ok && won.value.kind === 'changed' ? won.value.entity : deal();
    const reopen = stageCommand(state, pipeline, 'reopen', NOW);
    expect(reopen.ok && reopen.value.set).toEqual({
      stage: 'needs_analysis',
      status: 'open',
      stageEnteredAt: NOW,
      closedAt: null,
      lost: null,
      lastOpenStage: null,
    });
  });

  it('lose needs a reason from the pipeline and keeps the note and competitor', () => {
    const unknown = stageCommand(deal(), pipeline, 'lose', NOW, { lost: { reason: 'weather' } });
    expect(!unknown.ok && unknown.error).toMatchObject({ code: 'DEAL.UNKNOWN_LOST_REASON' });
    const lose = stageCommand(deal(), pipeline, 'lose', NOW, { lost: { reason: 'competitor', competitor: 'Acme' } });
    expect(lose.ok && lose.value.set).toMatchObject({
      status: 'lost',
      stage: 'lost',
      lost: { reason: 'competitor', note: null, competitor: 'Acme' },
    });
  });

  it('every command from a status the table does not allow is INVALID_TRANSITION, naming what is allowed', () => {
    for (const status of ['open', 'won', 'lost'] as const) {
      for (const command of STAGE_COMMANDS) {
        const allowed = (DEAL_TRANSITIONS[command].from as readonly string[]).includes(status);
        const current = deal({
          status,
          stage: status === 'open' ? 'proposal' : status,
          lastOpenStage: status === 'open' ? null : 'proposal',
        });
        const change = stageCommand(current, pipeline, command, NOW, {
          ...(command === 'move' && { stage: 'negotiation' }),
          lost: { reason: 'price' },
        });
        if (allowed) expect(change.ok, `${command} from ${status}`).toBe(true);
        else
          expect(!change.ok && change.error.details, `${command} from ${status}`).toEqual({
            current_status: status,
            allowed_commands: commandsAllowedFrom(status),
          });
      }
    }
  });

  it('the change holds only while the deal is still in the stage it was built from', () => {
    const move = stageCommand(deal(), pipeline, 'move', NOW, { stage: 'proposal' });
    if (!move.ok) throw new Error('valid move');
    const movedMeanwhile = decideChange(KIND, deal({ stage: 'negotiation' }), move.value, context);
    expect(!movedMeanwhile.ok && movedMeanwhile.error.code).toBe('DEAL.VERSION_MISMATCH');
    const closedMeanwhile = decideChange(KIND, deal({ stage: 'won', status: 'won' }), move.value, context);
    expect(!closedMeanwhile.ok && closedMeanwhile.error.code).toBe('DEAL.INVALID_TRANSITION');
  });

  it('derives probability, forecast category (the override wins), weighted amount and days in stage', () => {
    expect(forecastOf(deal(), pipeline, NOW)).toEqual({
      probability: 0.25,
      forecastCategory: 'pipeline',
      weightedAmountMinor: 2_500_00,
      daysInStage: 2,
    });
    expect(forecastOf(deal({ forecastCategoryOverride: 'commit', amountMinor: null }), pipeline, NOW)).toMatchObject({
      forecastCategory: 'commit',
      weightedAmountMinor: null,
    });
  });
});
