import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOST_REASONS,
  DEFAULT_PIPELINE,
  MAX_STAGES,
  parsePipelineDefinition,
  removedStageKeys,
  type PipelineInput,
} from './pipeline.js';

const fieldsOf = (input: PipelineInput) => {
  const parsed = parsePipelineDefinition(input);
  if (parsed.ok) throw new Error('expected the definition to be refused');
  return (parsed.error.details?.fields as { field: string }[]).map((issue) => issue.field);
};

describe('pipeline definition', () => {
  it('accepts the default pipeline, with the default lost reasons', () => {
    const parsed = parsePipelineDefinition(DEFAULT_PIPELINE);
    expect(parsed.ok && parsed.value.lostReasons).toEqual([...DEFAULT_LOST_REASONS]);
    expect(parsed.ok && parsed.value.stages.map((stage) => stage.kind)).toEqual(['open', 'open', 'open', 'open', 'won', 'lost']);
  });

  it('fixes the probability of won (1) and lost (0) stages and derives forecast categories', () => {
    const parsed = parsePipelineDefinition({
      name: ' Renewals ',
      currency: 'USD',
      stages: [
        { key: 'early', label: 'Early', kind: 'open', probability: 0.2 },
        { key: 'late', label: 'Late', kind: 'open', probability: 0.9 },
        { key: 'signed', label: 'Signed', kind: 'won' },
        { key: 'gone', label: 'Gone', kind: 'lost' },
      ],
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.name).toBe('Renewals');
    expect(parsed.value.stages.map((stage) => [stage.probability, stage.forecastCategory])).toEqual([
      [0.2, 'pipeline'],
      [0.9, 'commit'],
      [1, 'closed'],
      [0, 'omitted'],
    ]);
  });

  it('reports every problem at once, each at its exact path', () => {
    expect(
      fieldsOf({
        name: '',
        currency: 'EURO',
        stages: [
          { key: 'Bad Key', label: 'x', kind: 'open', probability: 0.5 },
          { key: 'a', label: ' ', kind: 'open', probability: 1.5 },
          { key: 'a', label: 'A', kind: 'maybe' },
          { key: 'w', label: 'W', kind: 'won', probability: 0.5 },
          { key: 'o', label: 'O', kind: 'open' },
        ],
        lost_reasons: ['Price', 'price', 'price'],
      }),
    ).toEqual([
      'name',
      'currency',
      'stages[0].key',
      'stages[1].label',
      'stages[1].probability',
      'stages[2].key',
      'stages[2].kind',
      'stages[3].probability',
      'stages[4].probability',
      'stages',
      'lost_reasons[0]',
      'lost_reasons',
    ]);
  });

  it('demands exactly one won stage, at least one lost and one open stage, at most 30 stages', () => {
    const open = (key: string) => ({ key, label: key, kind: 'open', probability: 0.1 });
    expect(fieldsOf({ name: 'x', currency: 'EUR', stages: [open('a'), { key: 'l', label: 'L', kind: 'lost' }] })).toEqual(['stages']);
    expect(fieldsOf({ name: 'x', currency: 'EUR', stages: [open('a'), { key: 'w', label: 'W', kind: 'won' }] })).toEqual(['stages']);
    expect(
      fieldsOf({
        name: 'x',
        currency: 'EUR',
        stages: [
          { key: 'w', label: 'W', kind: 'won' },
          { key: 'l', label: 'L', kind: 'lost' },
        ],
      }),
    ).toEqual(['stages']);
    const many = Array.from({ length: MAX_STAGES - 1 }, (_, index) => open(`s${index}`));
    expect(
      fieldsOf({
        name: 'x',
        currency: 'EUR',
        stages: [...many, { key: 'w', label: 'W', kind: 'won' }, { key: 'l', label: 'L', kind: 'lost' }],
      }),
    ).toEqual(['stages']);
  });

  it('names the stages a replacement removes', () => {
    expect(
      removedStageKeys({ stages: [{ key: 'a' }, { key: 'b' }, { key: 'c' }] as never }, { stages: [{ key: 'c' }, { key: 'a' }] as never }),
    ).toEqual(['b']);
  });
});
