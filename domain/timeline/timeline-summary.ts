import type { JsonObject, JsonValue } from '../shared/json.js';

/** The kinds of item a record's timeline merges, as the API names them. */
export const TIMELINE_KINDS = ['lifecycle', 'interaction', 'order', 'deal'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** Currencies whose minor unit is not a hundredth (ISO 4217 exponents 0 and 3). */
const NO_MINOR_UNIT = new Set('BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF'.split(' '));
const THOUSANDTHS = new Set('BHD IQD JOD KWD LYD OMR TND'.split(' '));

/** `4999 EUR` → `49.99 EUR`: an amount in minor units written in the currency's major unit. */
export function formatMoney(amountMinor: number, currency: string): string {
  const exponent = NO_MINOR_UNIT.has(currency) ? 0 : THOUSANDTHS.has(currency) ? 3 : 2;
  const major = exponent === 0 ? String(amountMinor) : (amountMinor / 10 ** exponent).toFixed(exponent);
  return `${major} ${currency}`;
}

const words = (value: string) => value.replace(/_/g, ' ');
const capitalised = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

/** `720` → `12 min`; under a minute in seconds, over an hour in hours and minutes. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "Outbound call · connected · 12 min", "Meeting · completed · 45 min", "Inbound email · Re: pricing", "Note · Wants a demo". */
export function interactionSummary(item: {
  readonly type: string;
  readonly direction: string | null;
  readonly outcome: string | null;
  readonly durationS: number | null;
  readonly subject: string | null;
}): string {
  const parts = [capitalised(item.direction ? `${item.direction} ${item.type}` : item.type)];
  if (item.outcome) parts.push(words(item.outcome));
  if (item.durationS !== null) parts.push(formatDuration(item.durationS));
  if ((item.type === 'email' || item.type === 'note') && item.subject) parts.push(item.subject);
  return parts.join(' · ');
}

/** "Order completed · 49.99 EUR". */
export function orderSummary(item: { readonly state: string; readonly totalMinor: number; readonly currency: string }): string {
  return `Order ${item.state} · ${formatMoney(item.totalMinor, item.currency)}`;
}

const text = (value: JsonValue | undefined): string => (value === null || value === undefined ? 'none' : String(value));
const fromTo = (change: JsonValue | undefined): [string, string] => {
  const { from, to } = (change ?? {}) as { from?: JsonValue; to?: JsonValue };
  return [text(from), text(to)];
};

/** The change lines every stream shares: owner, tags, details, deletion; null for another event. */
function sharedSummary(action: string, changes: JsonObject): string | null {
  switch (action) {
    case 'Assigned': {
      const [, to] = fromTo(changes.assigned_to ?? changes.owner_id);
      return to === 'none' ? 'Unassigned' : `Assigned to ${to}`;
    }
    case 'TagsChanged': {
      const { to } = (changes.tags ?? {}) as { to?: JsonValue };
      return Array.isArray(to) && to.length > 0 ? `Tags: ${to.join(', ')}` : 'Tags cleared';
    }
    case 'Updated':
      return `Updated ${Object.keys(changes).map(words).join(', ')}`;
    case 'Deleted':
      return 'Deleted';
    default:
      return null;
  }
}

/** One line for an event of a record's own stream: "Lead → Prospect", "Tier free → pro", "Updated name, email". */
export function lifecycleSummary(eventType: string, data: JsonObject): string {
  const changes = (data.changes ?? {}) as JsonObject;
  switch (eventType) {
    case 'CustomerCreated':
      return 'Created as lead';
    case 'CompanyCreated':
      return 'Company created';
    case 'CustomerQualified':
    case 'CustomerConverted':
    case 'CustomerChurned':
    case 'CustomerReactivated': {
      const [from, to] = fromTo(changes.status);
      const reason = typeof data.reason === 'string' ? ` · ${data.reason}` : '';
      return `${capitalised(from)} → ${capitalised(to)}${reason}`;
    }
    case 'CustomerTierChanged': {
      const [from, to] = fromTo(changes.tier);
      return `Tier ${from} → ${to}`;
    }
    default: {
      const action = /^(Customer|Company)(.+)$/.exec(eventType)?.[2];
      return (action && sharedSummary(action, changes)) ?? eventType.replace(/([a-z])([A-Z])/g, '$1 $2');
    }
  }
}

/** A stage key as a label: `needs_analysis` → `Needs analysis`. */
const stageLabel = (key: string) => capitalised(words(key));
const percent = (value: JsonValue | undefined) => (typeof value === 'number' ? `${Math.round(value * 100)}%` : '–');

/** "Discovery → Proposal (20% → 50%)", from the stages and probabilities the event snapshotted. */
function stageLine(data: JsonObject): string {
  const changes = (data.changes ?? {}) as JsonObject;
  const [from, to] = fromTo(changes.stage);
  const { from: was, to: is } = (data.probability ?? {}) as { from?: JsonValue; to?: JsonValue };
  return `${stageLabel(from)} → ${stageLabel(to)} (${percent(was)} → ${percent(is)})`;
}

/** One line for an event of a deal: "Discovery → Proposal (20% → 50%)", "Won · Negotiation → Won (80% → 100%)". */
export function dealSummary(eventType: string, data: JsonObject): string {
  const changes = (data.changes ?? {}) as JsonObject;
  switch (eventType) {
    case 'DealCreated': {
      const deal = (data.deal ?? {}) as JsonObject;
      return `Deal created · ${text(deal.name)} · ${stageLabel(text(deal.stage))} (${percent(data.probability)})`;
    }
    case 'DealStageChanged':
      return stageLine(data);
    case 'DealWon':
      return `Won · ${stageLine(data)}`;
    case 'DealLost': {
      const { to } = (changes.lost ?? {}) as { to?: { reason?: JsonValue } };
      return `Lost · ${words(text(to?.reason))} · ${stageLine(data)}`;
    }
    case 'DealReopened':
      return `Reopened · ${stageLine(data)}`;
    case 'DealContactsChanged': {
      const { to } = (changes.contacts ?? {}) as { to?: JsonValue };
      return `Contacts: ${Array.isArray(to) ? to.length : 0}`;
    }
    default:
      return sharedSummary(eventType.replace(/^Deal/, ''), changes) ?? eventType.replace(/([a-z])([A-Z])/g, '$1 $2');
  }
}
