import { describe, expect, it } from 'vitest';
import { dealSummary, formatDuration, formatMoney, interactionSummary, lifecycleSummary, orderSummary } from './timeline-summary.js';

describe('one human line per timeline item', () => {
  it.each([
    [{ type: 'call', direction: 'outbound', outcome: 'connected', durationS: 720, subject: 'x' }, 'Outbound call · connected · 12 min'],
    [
      { type: 'call', direction: 'inbound', outcome: 'left_voicemail', durationS: 30, subject: null },
      'Inbound call · left voicemail · 30 s',
    ],
    [{ type: 'meeting', direction: null, outcome: 'completed', durationS: 5400, subject: 'QBR' }, 'Meeting · completed · 1 h 30 min'],
    [{ type: 'email', direction: 'inbound', outcome: null, durationS: null, subject: 'Re: pricing' }, 'Inbound email · Re: pricing'],
    [{ type: 'note', direction: null, outcome: null, durationS: null, subject: null }, 'Note'],
  ])('%j → %s', (item, line) => expect(interactionSummary(item)).toBe(line));

  it('orders in the currency’s major unit', () => {
    expect(orderSummary({ state: 'completed', totalMinor: 4999, currency: 'EUR' })).toBe('Order completed · 49.99 EUR');
    expect(formatMoney(1500, 'JPY')).toBe('1500 JPY');
    expect(formatMoney(1234, 'KWD')).toBe('1.234 KWD');
    expect(formatMoney(5, 'USD')).toBe('0.05 USD');
  });

  it('durations', () => {
    expect([0, 59, 60, 89, 3599, 3600, 86_400].map(formatDuration)).toEqual([
      '0 s',
      '59 s',
      '1 min',
      '1 min',
      '1 h 0 min',
      '1 h 0 min',
      '24 h 0 min',
    ]);
  });

  it.each([
    ['CustomerCreated', {}, 'Created as lead'],
    ['CustomerQualified', { changes: { status: { from: 'lead', to: 'prospect' } } }, 'Lead → Prospect'],
    ['CustomerChurned', { changes: { status: { from: 'customer', to: 'churned' } }, reason: 'price' }, 'Customer → Churned · price'],
    ['CustomerTierChanged', { changes: { tier: { from: 'free', to: 'pro' } } }, 'Tier free → pro'],
    ['CustomerTagsChanged', { changes: { tags: { from: [], to: ['vip', 'b2b'] } } }, 'Tags: vip, b2b'],
    ['CustomerAssigned', { changes: { assigned_to: { from: 'a', to: null } } }, 'Unassigned'],
    ['CustomerUpdated', { changes: { name: {}, user_id: {} } }, 'Updated name, user id'],
    ['SomethingElseHappened', {}, 'Something Else Happened'],
    ['CompanyCreated', { company: {} }, 'Company created'],
    ['CompanyAssigned', { changes: { owner_id: { from: null, to: 'rep-1' } } }, 'Assigned to rep-1'],
    ['CompanyUpdated', { changes: { size_band: {} } }, 'Updated size band'],
    ['CompanyDeleted', { changes: {} }, 'Deleted'],
  ])('%s → %s', (type, data, line) => expect(lifecycleSummary(type, data as never)).toBe(line));

  const stage = (from: string, to: string, was: number | null, is: number) => ({
    changes: { stage: { from, to } },
    probability: { from: was, to: is },
  });
  it.each([
    [
      'DealCreated',
      { deal: { name: 'Fleet renewal', stage: 'qualification' }, probability: 0.1 },
      'Deal created · Fleet renewal · Qualification (10%)',
    ],
    ['DealStageChanged', stage('discovery', 'proposal', 0.2, 0.5), 'Discovery → Proposal (20% → 50%)'],
    ['DealStageChanged', stage('needs_analysis', 'proposal', null, 0.5), 'Needs analysis → Proposal (– → 50%)'],
    ['DealWon', stage('negotiation', 'won', 0.8, 1), 'Won · Negotiation → Won (80% → 100%)'],
    [
      'DealLost',
      {
        ...stage('proposal', 'lost', 0.5, 0),
        changes: { stage: { from: 'proposal', to: 'lost' }, lost: { from: null, to: { reason: 'no_budget' } } },
      },
      'Lost · no budget · Proposal → Lost (50% → 0%)',
    ],
    ['DealReopened', stage('lost', 'proposal', 0, 0.5), 'Reopened · Lost → Proposal (0% → 50%)'],
    ['DealAssigned', { changes: { owner_id: { from: 'a', to: null } } }, 'Unassigned'],
    ['DealContactsChanged', { changes: { contacts: { from: [], to: [{}, {}] } } }, 'Contacts: 2'],
    ['DealUpdated', { changes: { amount_minor: {}, name: {} } }, 'Updated amount minor, name'],
  ])('%s → %s', (type, data, line) => expect(dealSummary(type, data as never)).toBe(line));
});
