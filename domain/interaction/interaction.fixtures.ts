/** Test data for the Interaction aggregate's specs (pure domain code, no test-runner imports). */
import type { ChangeContext } from '../shared/domain-event.js';
import type { Interaction, Timestamp } from './interaction.js';

export const INTERACTION_ID = '01890a5d-ac96-774b-bcce-b302099b0001';
export const CUSTOMER_A = '01890a5d-ac96-774b-bcce-b302099b00a1';
export const CUSTOMER_B = '01890a5d-ac96-774b-bcce-b302099b00b2';
export const OWNER_ID = '01890a5d-ac96-774b-bcce-b302099b0e01';
export const NOW: Timestamp = '2026-03-01T10:00:00.000Z';
export const EARLIER: Timestamp = '2026-02-27T15:30:00.000Z';
export const LATER: Timestamp = '2026-03-04T09:00:00.000Z';

export function changeContext(overrides: Partial<ChangeContext> = {}): ChangeContext {
  return { eventId: '01890a5d-ac96-774b-bcce-b302099b9001', now: NOW, actor: OWNER_ID, ...overrides };
}

/** A stored outbound call at version 2; override what the spec is about. */
export function aCall(overrides: Partial<Interaction> = {}): Interaction {
  return {
    id: INTERACTION_ID,
    type: 'call',
    occurredAt: EARLIER,
    direction: 'outbound',
    subject: 'Renewal',
    body: 'Talked about the renewal.',
    durationS: 720,
    outcome: 'connected',
    participants: [],
    links: [{ targetType: 'customer', targetId: CUSTOMER_A }],
    ownerId: OWNER_ID,
    source: 'manual',
    externalId: null,
    version: 2,
    createdAt: EARLIER,
    updatedAt: EARLIER,
    deletedAt: null,
    ...overrides,
  };
}
