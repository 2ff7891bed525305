/**
 * A deterministic example value for a JSON Schema (draft 2020-12, as zod writes it): the schema's
 * own `examples`/`default` when it has them, else a value built from its type, format, enum and
 * bounds. Tests validate every example against its schema, so an example can never lie.
 */
export type JsonSchema = { readonly [key: string]: unknown };

const EXAMPLE_UUID = '019b6ec4-774c-70e0-9c2c-7ba19630289d';
const EXAMPLE_TIME = '2026-11-26T10:00:00.000Z';

const FORMAT_EXAMPLES: Record<string, string> = {
  uuid: EXAMPLE_UUID,
  'date-time': EXAMPLE_TIME,
  date: '2026-11-26',
  email: 'ada@example.com',
  uri: 'https://example.com',
};

/** Examples of common property names, used when a string property carries no format of its own. */
const NAMED_EXAMPLES: Record<string, unknown> = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+442079460958',
  source: 'website',
  currency: 'EUR',
  reason: 'moved to a competitor',
  q: 'ada',
  cursor: 'eyJrIjoiMjAyNi0xMS0yNlQxMDowMDowMC4wMDBaIiwiaSI6IjAxOWI2ZWM0In0',
  domain: 'example.com',
  website: 'https://example.com',
  country: 'GB',
  industry: 'software',
  message: 'The request is invalid.',
  request_id: '5b0c1c2e-7f77-4d3a-9a58-3f1f0b0f9b8e',
};

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  const target = ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
  return (target as JsonSchema | undefined) ?? {};
}

/** An example for `schema`; `name` is the property it belongs to, which can suggest a realistic value. */
export function exampleOf(schema: JsonSchema, name = '', root: JsonSchema = schema, depth = 0): unknown {
  const resolved = resolve(schema, root);
  if (depth > 12) return null;
  const examples = resolved.examples;
  if (Array.isArray(examples) && examples.length > 0) return examples[0];
  if ('example' in resolved) return resolved.example;
  if ('default' in resolved) return resolved.default;
  if ('const' in resolved) return resolved.const;
  if (Array.isArray(resolved.enum) && resolved.enum.length > 0) return resolved.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = resolved[key];
    if (Array.isArray(options) && options.length > 0) {
      const nonNull = (options as JsonSchema[]).find((option) => resolve(option, root).type !== 'null') ?? options[0];
      return exampleOf(nonNull as JsonSchema, name, root, depth + 1);
    }
  }
  if (Array.isArray(resolved.allOf) && resolved.allOf.length > 0) {
    return Object.assign({}, ...(resolved.allOf as JsonSchema[]).map((part) => exampleOf(part, name, root, depth + 1)));
  }
  const type = Array.isArray(resolved.type) ? (resolved.type.find((t) => t !== 'null') ?? resolved.type[0]) : resolved.type;
  switch (type) {
    case 'object': {
      const properties = (resolved.properties ?? {}) as Record<string, JsonSchema>;
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, exampleOf(value, key, root, depth + 1)]));
    }
    case 'array': {
      const items = resolved.items as JsonSchema | undefined;
      const count = Math.max(Number(resolved.minItems ?? 1), 1);
      return items ? Array.from({ length: count }, () => exampleOf(items, name, root, depth + 1)) : [];
    }
    case 'integer':
    case 'number': {
      const minimum =
        typeof resolved.minimum === 'number'
          ? resolved.minimum
          : typeof resolved.exclusiveMinimum === 'number'
            ? resolved.exclusiveMinimum + 1
            : 1;
      return minimum;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string':
      return stringExample(resolved, name);
    default:
      return name in NAMED_EXAMPLES ? NAMED_EXAMPLES[name] : 'example';
  }
}

function stringExample(schema: JsonSchema, name: string): string {
  const format = typeof schema.format === 'string' ? FORMAT_EXAMPLES[schema.format] : undefined;
  if (format) return format;
  const named = NAMED_EXAMPLES[name];
  const candidate = typeof named === 'string' ? named : 'example';
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : null;
  if (pattern && !pattern.test(candidate)) {
    // A value for common patterns; a test catches a pattern no example satisfies.
    for (const guess of ['1', '20', 'vip', 'EUR', 'GB', 'example.com', EXAMPLE_UUID, EXAMPLE_TIME, '2026-11-26'])
      if (pattern.test(guess)) return guess;
  }
  const min = Number(schema.minLength ?? 0);
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  const padded = candidate.length < min ? candidate.padEnd(min, 'x') : candidate;
  return padded.length > max ? padded.slice(0, max) : padded;
}
