import { describe, expect, it } from 'vitest';
import { applyChange } from './interaction-change.js';
import { deleteInteraction, updateInteraction } from './interaction-commands.js';
import { aCall, changeContext, CUSTOMER_A, NOW, OWNER_ID } from './interaction.fixtures.js';
import type { InteractionChange } from './interaction-change.js';

const valid = (change: ReturnType<typeof updateInteraction>): InteractionChange => {
  if (!change.ok) throw new Error(change.error.message);
  return change.value;
};

describe('changing an interaction', () => {
  it('given a call, when its outcome changes, then the event records the change with the facts every interaction event carries', () => {
    const decided = applyChange(aCall(), valid(updateInteraction({ outcome: 'left_voicemail' })), changeContext());
    expect(decided.ok && decided.value.kind === 'changed' && decided.value.event).toMatchObject({
      type: 'InteractionUpdated',
      aggregateVersion: 3,
      data: {
        changes: { outcome: { from: 'connected', to: 'left_voicemail' } },
        interaction_type: 'call',
        occurred_at: aCall().occurredAt,
        outcome: 'left_voicemail',
        owner_id: OWNER_ID,
        links: { customer: [CUSTOMER_A] },
      },
    });
  });

  it('records that subject or body changed, never their values', () => {
    const decided = applyChange(aCall(), valid(updateInteraction({ subject: 'Secret plans', body: 'confidential' })), changeContext());
    if (!decided.ok || decided.value.kind !== 'changed') throw new Error('expected a change');
    expect(decided.value.event.data.changes).toEqual({ subject: { changed: true }, body: { changed: true } });
    expect(JSON.stringify(decided.value.event.data)).not.toMatch(/Renewal|Secret|confidential|renewal/);
  });

  it('the same values again are no change', () => {
    const decided = applyChange(aCall(), valid(updateInteraction({ outcome: 'connected', subject: ' Renewal ' })), changeContext());
    expect(decided.ok && decided.value.kind).toBe('unchanged');
  });

  it('refuses a change that leaves the type rules broken, e.g. a call turned into a note keeping its direction', () => {
    const decided = applyChange(aCall(), valid(updateInteraction({ type: 'note' })), changeContext());
    expect(decided.ok).toBe(false);
    if (decided.ok) return;
    expect(decided.error.code).toBe('VALIDATION_FAILED');
    expect((decided.error.details!.fields as { field: string }[]).map((issue) => issue.field)).toEqual([
      'direction',
      'duration_s',
      'outcome',
    ]);
    const whole = applyChange(
      aCall(),
      valid(updateInteraction({ type: 'note', direction: null, durationS: null, outcome: null })),
      changeContext(),
    );
    expect(whole.ok).toBe(true);
  });

  it('refuses moving a call into the future', () => {
    const decided = applyChange(aCall(), valid(updateInteraction({ occurredAt: '2026-03-02T00:00:00.000Z' })), changeContext());
    expect(!decided.ok && decided.error.details).toMatchObject({ fields: [{ field: 'occurred_at' }] });
  });

  it('refuses a stale version with INTERACTION.VERSION_MISMATCH', () => {
    const decided = applyChange(aCall(), { ...valid(updateInteraction({ outcome: 'busy' })), expectedVersion: 1 }, changeContext());
    expect(!decided.ok && decided.error).toMatchObject({ code: 'INTERACTION.VERSION_MISMATCH', details: { current_version: 2 } });
  });

  it('deleting stamps deleted_at and records it', () => {
    const decided = applyChange(aCall(), deleteInteraction(NOW), changeContext());
    expect(decided.ok && decided.value.kind === 'changed' && decided.value.event).toMatchObject({
      type: 'InteractionDeleted',
      data: { changes: { deleted_at: { from: null, to: NOW } }, links: { customer: [CUSTOMER_A] } },
    });
  });

  it('an update without fields is refused', () => {
    expect(updateInteraction({}).ok).toBe(false);
    expect(updateInteraction({ durationS: -1 }).ok).toBe(false);
    expect(updateInteraction({ durationS: 1.5 }).ok).toBe(false);
  });
});
