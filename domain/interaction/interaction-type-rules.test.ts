import { describe, expect, it } from 'vitest';
import {
  CALL_OUTCOMES,
  countsAsContact,
  INTERACTION_OUTCOMES,
  INTERACTION_TYPES,
  MEETING_OUTCOMES,
  typeRuleIssues,
  type TypedFields,
} from './interaction-type-rules.js';

const NOW = '2026-03-01T10:00:00.000Z';
const PAST = '2026-02-01T10:00:00.000Z';
const FUTURE = '2026-04-01T10:00:00.000Z';
const fields = (overrides: Partial<TypedFields>): TypedFields => ({
  type: 'note',
  occurredAt: PAST,
  direction: null,
  durationS: null,
  outcome: null,
  ...overrides,
});
const fieldsOf = (typed: TypedFields) => typeRuleIssues(typed, NOW).map((issue) => issue.field);

describe('the field rules of each interaction type', () => {
  it.each([
    ['call', { direction: 'outbound', durationS: 60, outcome: 'connected' }],
    ['call', { direction: 'inbound' }],
    ['email', { direction: 'inbound' }],
    ['meeting', { durationS: 3600, outcome: 'completed' }],
    ['meeting', {}],
    ['note', {}],
  ] as const)('a %s with %j keeps them', (type, overrides) => {
    expect(typeRuleIssues(fields({ type, ...overrides }), NOW)).toEqual([]);
  });

  it.each([
    ['call', {}, ['direction']],
    ['email', {}, ['direction']],
    ['email', { direction: 'outbound', durationS: 10 }, ['duration_s']],
    ['meeting', { direction: 'inbound' }, ['direction']],
    ['note', { direction: 'inbound', durationS: 5, outcome: 'completed' }, ['direction', 'duration_s', 'outcome']],
    ['call', { direction: 'outbound', outcome: 'completed' }, ['outcome']],
    ['meeting', { outcome: 'busy' }, ['outcome']],
    ['email', { direction: 'outbound', outcome: 'connected' }, ['outcome']],
  ] as const)('a %s with %j breaks the rules of %j', (type, overrides, broken) => {
    expect(fieldsOf(fields({ type, ...overrides } as Partial<TypedFields>))).toEqual(broken);
  });

  it('calls take only call outcomes, meetings only meeting outcomes, emails and notes none', () => {
    for (const outcome of INTERACTION_OUTCOMES) {
      const call = fieldsOf(fields({ type: 'call', direction: 'outbound', outcome }));
      const meeting = fieldsOf(fields({ type: 'meeting', outcome }));
      expect(call.includes('outcome'), `call ${outcome}`).toBe(!(CALL_OUTCOMES as readonly string[]).includes(outcome));
      expect(meeting.includes('outcome'), `meeting ${outcome}`).toBe(!(MEETING_OUTCOMES as readonly string[]).includes(outcome));
    }
  });

  it('only a scheduled meeting may lie in the future', () => {
    expect(fieldsOf(fields({ type: 'meeting', outcome: 'scheduled', occurredAt: FUTURE }))).toEqual([]);
    for (const type of INTERACTION_TYPES) {
      expect(fieldsOf(fields({ type, occurredAt: FUTURE, direction: type === 'call' || type === 'email' ? 'inbound' : null }))).toEqual([
        'occurred_at',
      ]);
    }
    expect(fieldsOf(fields({ type: 'meeting', outcome: 'completed', occurredAt: FUTURE }))).toEqual(['occurred_at']);
    expect(fieldsOf(fields({ type: 'note', occurredAt: NOW }))).toEqual([]);
  });

  it('messages say what the type allows', () => {
    const [issue] = typeRuleIssues(fields({ type: 'note', direction: 'inbound' }), NOW);
    expect(issue!.message).toBe('only calls and emails have direction; a note has none');
  });

  it('a meeting that did not take place is no contact; everything else is', () => {
    expect(countsAsContact({ type: 'meeting', outcome: 'completed' })).toBe(true);
    expect(countsAsContact({ type: 'meeting', outcome: null })).toBe(true);
    for (const outcome of ['scheduled', 'rescheduled', 'no_show', 'canceled'] as const) {
      expect(countsAsContact({ type: 'meeting', outcome })).toBe(false);
    }
    for (const outcome of CALL_OUTCOMES) expect(countsAsContact({ type: 'call', outcome })).toBe(true);
    expect(countsAsContact({ type: 'note', outcome: null })).toBe(true);
  });
});
