import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
import { inputKinds, type InputKind } from '../../functions/http/clean-input.js';
import { fieldPath } from '../../functions/http/validation.js';

/** One place in a schema where a caller's string lands: its path, and the building block that reads it. */
export interface StringSite {
  readonly path: readonly (string | number)[];
  /** `tags[0]`, as validation errors name it. */
  readonly field: string;
  readonly kind: InputKind['kind'] | undefined;
}

type AnySchema = z.ZodType & { _zod: { def: Record<string, any> } };

const def = (schema: z.ZodType) => (schema as AnySchema)._zod.def;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);
const LEAVES = new Set(['string', 'enum', 'literal', 'number', 'boolean', 'bigint', 'template_literal']);

/**
 * Every place a string can be sent in a request part (a zod object of body fields, query or path
 * parameters), found by walking the schema: objects by key, arrays by their first element,
 * wrappers and pipes to the schema that reads the value, unions through their first option.
 */
export function stringSites(schema: z.ZodType | undefined): StringSite[] {
  if (!schema) return [];
  const sites: StringSite[] = [];
  const walk = (node: z.ZodType, path: (string | number)[], kind: InputKind['kind'] | undefined): void => {
    const here = inputKinds.get(node)?.kind ?? kind;
    const d = def(node);
    if (WRAPPERS.has(d.type)) return walk(d.innerType, path, here);
    if (d.type === 'pipe') return def(d.in).type === 'unknown' ? walk(d.out, path, here) : walk(d.in, path, here);
    if (d.type === 'object') {
      for (const [key, value] of Object.entries(d.shape as Record<string, z.ZodType>)) walk(value, [...path, key], undefined);
      return;
    }
    if (d.type === 'array') return walk(d.element, [...path, 0], here);
    if (d.type === 'union') return walk(d.options[0], path, here);
    if (LEAVES.has(d.type)) sites.push({ path, field: fieldPath(path), kind: here });
  };
  walk(schema, [], undefined);
  return sites;
}

/** A value the schema accepts (best effort: the block's registered example, else the simplest value of its type). */
export function sample(schema: z.ZodType): unknown {
  const example = inputKinds.get(schema)?.example;
  if (example !== undefined) return example;
  const d = def(schema);
  switch (d.type) {
    case 'optional':
    case 'default':
    case 'prefault':
      return undefined;
    case 'nullable':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return sample(d.innerType);
    case 'pipe':
      return def(d.in).type === 'unknown' ? sample(d.out) : sample(d.in);
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(d.shape as Record<string, z.ZodType>)) {
        const fieldValue = sample(field);
        if (fieldValue !== undefined) value[key] = fieldValue;
      }
      return value;
    }
    case 'array':
      return [];
    case 'union':
      return sample(d.options[0]);
    case 'enum':
      return Object.values(d.entries)[0];
    case 'literal':
      return d.values[0];
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string': {
      if (d.format === 'uuid' || d.format === 'guid') return randomUUID();
      if (d.format === 'email') return 'someone@example.com';
      if (d.format === 'datetime') return '2025-12-30T10:00:00Z';
      const length = (d.checks ?? [])
        .map((check: any) => check._zod.def)
        .find((check: any) => check.check === 'length_equals' || check.check === 'min_length');
      return 'x'.repeat(length?.length ?? length?.minimum ?? 1);
    }
    default:
      return undefined;
  }
}

/** A copy of `base` with `value` at `path` (creating the objects and one-element arrays on the way). */
export function withValueAt(base: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') return [withValueAt(undefined, rest, value)];
  const object = (base !== null && typeof base === 'object' && !Array.isArray(base) ? base : {}) as Record<string, unknown>;
  return { ...object, [head!]: withValueAt(object[head!], rest, value) };
}

/** The fields of an object schema (after wrappers and pipes), or none. */
export function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  if (!schema) return {};
  const d = def(schema);
  if (WRAPPERS.has(d.type)) return objectShape(d.innerType);
  if (d.type === 'pipe') return objectShape(d.in);
  return d.type === 'object' ? (d.shape as Record<string, z.ZodType>) : {};
}

/** A value the schema accepts that is present: optional and defaulted schemas are sampled from what they wrap. */
export function samplePresent(schema: z.ZodType): unknown {
  const d = def(schema);
  return d.type === 'optional' || d.type === 'default' || d.type === 'prefault' ? samplePresent(d.innerType) : sample(schema);
}
