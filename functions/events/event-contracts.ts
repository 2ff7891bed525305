import * as z from 'zod';
import { timestamp, uuid } from './contract-fields.js';

/**
 * The machinery of the published event contracts: one zod schema per event type and version
 * for the EventBridge Detail, checked before anything is sent and exported as JSON Schema
 * (functions/events/schemas/<aggregate>/, `npm run events:schemas`). Each aggregate declares its
 * own contracts with `aggregateEventContracts`; the application composes them into one catalogue.
 */

/** What one event type's `data` holds, at one version. */
export interface EventContractSpec {
  readonly version: number;
  readonly description: string;
  readonly data: z.ZodType;
}

export type EventContract = z.ZodObject;

/** The contracts of one aggregate's stream, keyed `<EventType>.v<version>`. */
export interface AggregateEventContracts {
  readonly aggregate: string;
  readonly contracts: Readonly<Record<string, EventContract>>;
}

export interface EventCatalogue {
  /** Every aggregate that publishes events, in declaration order. */
  readonly aggregates: readonly string[];
  readonly contracts: Readonly<Record<string, EventContract>>;
  /** The aggregate whose stream a contract belongs to, by contract key. */
  readonly aggregateOf: Readonly<Record<string, string>>;
  contractFor(type: string, version: number): EventContract | undefined;
}

/** `CustomerConverted.v1`: the key of a contract and the name of its schema file. */
export function contractKey(type: string, version: number): string {
  return `${type}.v${version}`;
}

/**
 * The Detail of an event on the bus, identical for every type of an aggregate: the stream is
 * `<aggregate>_id` and `<aggregate>_version`; `data` differs per type and version.
 */
function envelope(aggregate: string, type: string, { version, description, data }: EventContractSpec): EventContract {
  return z
    .strictObject({
      event_id: uuid.describe('our id of the event: deduplicate on it (the EventBridge id changes on every retry)'),
      event_type: z.literal(type),
      event_version: z.literal(version),
      occurred_at: timestamp,
      [`${aggregate}_id`]: uuid,
      [`${aggregate}_version`]: z
        .int()
        .min(1)
        .describe(`the ${aggregate}'s version after this change: orders the events of one ${aggregate}`),
      actor: z.string().min(1).describe('who made the change (the subject of their token)'),
      data,
    })
    .meta({ title: contractKey(type, version), description });
}

/** Declares an aggregate's contracts; a new event type fails to compile until it has one. */
export function aggregateEventContracts<Type extends string>(
  aggregate: string,
  specs: Record<Type, EventContractSpec>,
): AggregateEventContracts {
  const entries = (Object.entries(specs) as [Type, EventContractSpec][]).map(
    ([type, spec]) => [contractKey(type, spec.version), envelope(aggregate, type, spec)] as const,
  );
  return { aggregate, contracts: Object.freeze(Object.fromEntries(entries)) };
}

/** One catalogue from every aggregate's contracts; a contract key declared twice is a bug. */
export function composeCatalogue(parts: readonly AggregateEventContracts[]): EventCatalogue {
  const contracts: Record<string, EventContract> = {};
  const aggregateOf: Record<string, string> = {};
  for (const part of parts) {
    for (const [key, contract] of Object.entries(part.contracts)) {
      if (key in contracts) throw new Error(`event contract ${key} is declared twice`);
      contracts[key] = contract;
      aggregateOf[key] = part.aggregate;
    }
  }
  return Object.freeze({
    aggregates: [...new Set(parts.map((part) => part.aggregate))],
    contracts: Object.freeze(contracts),
    aggregateOf: Object.freeze(aggregateOf),
    contractFor: (type: string, version: number) => contracts[contractKey(type, version)],
  });
}

/** The JSON Schema a consumer generates types from, exactly as written to schemas/<aggregate>/<key>.json. */
export function jsonSchemaOf(contract: EventContract): Record<string, unknown> {
  return z.toJSONSchema(contract, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
