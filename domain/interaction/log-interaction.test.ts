import { describe, expect, it } from 'vitest';
import { CUSTOMER_A, CUSTOMER_B, changeContext, NOW, OWNER_ID } from './interaction.fixtures.js';
import { logInteraction, participantEmails, type NewInteractionInput } from './log-interaction.js';

const ID = '01890a5d-ac96-774b-bcce-b302099b1111';
const context = (customersByEmail: Record<string, string> = {}) => ({
  ...changeContext(),
  id: ID,
  customersByEmail: new Map(Object.entries(customersByEmail)),
});
const call: NewInteractionInput = {
  type: 'call',
  occurredAt: '2026-02-28T09:00:00.000Z',
  direction: 'outbound',
  subject: '  Renewal  ',
  body: 'We talked.\nThey will renew.',
  durationS: 720,
  outcome: 'connected',
  links: [{ targetType: 'customer', targetId: CUSTOMER_A }],
  ownerId: OWNER_ID,
};

describe('logging an interaction', () => {
  it('given a valid call, when logged, then it is version 1 with its InteractionLogged event, without subject or body in the event', () => {
    const logged = logInteraction(call, context());
    expect(logged.ok).toBe(true);
    if (!logged.ok) return;
    expect(logged.value.interaction).toEqual({
      id: ID,
      type: 'call',
      occurredAt: '2026-02-28T09:00:00.000Z',
      direction: 'outbound',
      subject: 'Renewal',
      body: 'We talked.\nThey will renew.',
      durationS: 720,
      outcome: 'connected',
      participants: [],
      links: [{ targetType: 'customer', targetId: CUSTOMER_A }],
      ownerId: OWNER_ID,
      source: 'manual',
      externalId: null,
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
      deletedAt: null,
    });
    expect(logged.value.event).toMatchObject({
      type: 'InteractionLogged',
      aggregateType: 'interaction',
      aggregateId: ID,
      aggregateVersion: 1,
    });
    const payload = JSON.stringify(logged.value.event.data);
    expect(payload).not.toContain('Renewal');
    expect(payload).not.toContain('renew');
    expect(logged.value.event.data).toMatchObject({ interaction: { links: { customer: [CUSTOMER_A] }, outcome: 'connected' } });
  });

  it('given participants by id and by email, then customers are linked, matches by email say so, and emails stay out of the event', () => {
    const logged = logInteraction(
      {
        ...call,
        links: [],
        participants: [{ customerId: CUSTOMER_B }, { email: 'Ada@Example.com', name: 'Ada' }, { email: 'guest@example.org', name: null }],
      },
      context({ 'ada@example.com': CUSTOMER_A }),
    );
    if (!logged.ok) throw new Error(logged.error.message);
    expect(logged.value.interaction.participants).toEqual([
      { customerId: CUSTOMER_B, email: null, name: null, matchedBy: 'id' },
      { customerId: CUSTOMER_A, email: 'ada@example.com', name: 'Ada', matchedBy: 'email' },
      { customerId: null, email: 'guest@example.org', name: null, matchedBy: null },
    ]);
    expect(logged.value.interaction.links.map((link) => link.targetId)).toEqual([CUSTOMER_A, CUSTOMER_B].sort());
    expect(JSON.stringify(logged.value.event.data)).not.toMatch(/example\.(com|org)|Ada/);
  });

  it('links each record once, in a fixed order', () => {
    const logged = logInteraction(
      { ...call, links: [CUSTOMER_B, CUSTOMER_A, CUSTOMER_B.toUpperCase()].map((targetId) => ({ targetType: 'customer', targetId })) },
      context(),
    );
    expect(logged.ok && logged.value.interaction.links.map((link) => link.targetId)).toEqual([CUSTOMER_A, CUSTOMER_B].sort());
  });

  it('refuses an interaction without any link, naming every bad field at once', () => {
    const logged = logInteraction(
      { ...call, links: [], direction: null, subject: 'a\u0007b', participants: [{ email: 'not-an-email' }] },
      context(),
    );
    expect(logged.ok).toBe(false);
    if (logged.ok) return;
    expect(logged.error.code).toBe('VALIDATION_FAILED');
    expect((logged.error.details!.fields as { field: string }[]).map((issue) => issue.field).sort()).toEqual([
      'direction',
      'links',
      'participants.0.email',
      'subject',
    ]);
  });

  it('refuses a future call, accepts a future scheduled meeting', () => {
    const future = '2026-03-08T09:00:00.000Z';
    expect(logInteraction({ ...call, occurredAt: future }, context()).ok).toBe(false);
    expect(
      logInteraction({ ...call, type: 'meeting', direction: null, outcome: 'scheduled', occurredAt: future, durationS: 1800 }, context())
        .ok,
    ).toBe(true);
  });

  it('a blank subject or body is none; a body may span lines, a subject may not', () => {
    const logged = logInteraction({ ...call, subject: '   ', body: ' \n ' }, context());
    expect(logged.ok && [logged.value.interaction.subject, logged.value.interaction.body]).toEqual([null, null]);
    expect(logInteraction({ ...call, subject: 'two\nlines' }, context()).ok).toBe(false);
  });

  it('participantEmails gives the parsed emails the shell looks up', () => {
    expect(participantEmails({ participants: [{ email: ' Ada@Example.com ' }, { customerId: CUSTOMER_A }, { email: 'bad' }] })).toEqual([
      'ada@example.com',
    ]);
  });
});
