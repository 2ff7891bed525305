/**
 * Data API `SqlParameter`s → values and parameter types for PostgreSQL's extended protocol.
 *
 * Each value is sent as text with an explicit parameter type, as the JDBC driver behind the
 * Data API does: a plain `stringValue` is `varchar` (so a uuid column compared with it fails
 * exactly as on Aurora), `longValue` is `bigint`, `doubleValue` `double precision`,
 * `booleanValue` `boolean`, `blobValue` `bytea`, and `isNull` an untyped NULL.
 * A `typeHint` on a `stringValue` picks date, time, timestamp, numeric, jsonb or uuid.
 */
import { badRequest, validationError } from './errors.js';
import type { TypeHint, WireField, WireSqlParameter } from './wire-types.js';

export const OID = {
  unspecified: 0,
  bool: 16,
  bytea: 17,
  int8: 20,
  float8: 701,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

const HINT_TYPES: Record<TypeHint, number> = {
  DATE: OID.date,
  TIME: OID.time,
  TIMESTAMP: OID.timestamp,
  DECIMAL: OID.numeric,
  JSON: OID.jsonb,
  UUID: OID.uuid,
};

/** Accepted formats documented for the hints (`YYYY-MM-DD`, `HH:MM:SS[.FFF]`, `YYYY-MM-DD HH:MM:SS[.FFF]`). */
const HINT_FORMATS: Partial<Record<TypeHint, { pattern: RegExp; label: string }>> = {
  DATE: { pattern: /^\d{4}-\d{2}-\d{2}$/, label: 'Date' },
  TIME: { pattern: /^\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/, label: 'Time' },
  TIMESTAMP: { pattern: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,3})?$/, label: 'TimeStamp' },
};

const FIELD_MEMBERS = ['isNull', 'booleanValue', 'longValue', 'doubleValue', 'stringValue', 'blobValue', 'arrayValue'] as const;

export interface BoundParameters {
  /** Text values, `null` for SQL NULL; `values[0]` is `$1`. */
  readonly values: (string | null)[];
  /** Parameter type OIDs for the Parse message (0 = let PostgreSQL infer). */
  readonly typeOids: number[];
}

function isTypeHint(value: string): value is TypeHint {
  return Object.hasOwn(HINT_TYPES, value);
}

/** Checks the parameter list's shape (names, type hints) before anything runs. */
export function validateParameters(parameters: readonly WireSqlParameter[] | undefined, path: string): void {
  parameters?.forEach((parameter, index) => {
    const hint = parameter.typeHint;
    if (hint !== undefined && !isTypeHint(hint)) {
      throw validationError(
        `1 validation error detected: Value '${hint}' at '${path}.${index + 1}.member.typeHint' failed to satisfy constraint: ` +
          'Member must satisfy enum value set: [JSON, UUID, TIMESTAMP, DATE, TIME, DECIMAL]',
      );
    }
  });
}

function bindField(name: string, field: WireField | undefined, hint: TypeHint | undefined): [string | null, number] {
  const set = field === undefined ? [] : FIELD_MEMBERS.filter((member) => field[member] !== undefined && field[member] !== null);
  if (field === undefined || set.length === 0 || (set.length === 1 && field.isNull === false)) {
    throw badRequest(`Parameter "${name}" has value with no field set`);
  }
  if (set.length > 1) {
    throw badRequest(`Parameter "${name}" has value with more than one field set`);
  }
  if (field.arrayValue !== undefined && field.arrayValue !== null) {
    throw badRequest('Array parameters are not supported.');
  }
  if (field.isNull === true) {
    return [null, hint === undefined ? OID.unspecified : HINT_TYPES[hint]];
  }
  if (typeof field.booleanValue === 'boolean') {
    return [field.booleanValue ? 'true' : 'false', OID.bool];
  }
  if (field.longValue !== undefined) {
    if (typeof field.longValue !== 'number' || !Number.isInteger(field.longValue)) {
      throw badRequest(`Parameter "${name}" has an invalid longValue`);
    }
    return [BigInt(field.longValue).toString(), OID.int8];
  }
  if (field.doubleValue !== undefined) {
    const value = field.doubleValue;
    if (typeof value === 'number') return [String(value), OID.float8];
    if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return [value, OID.float8];
    throw badRequest(`Parameter "${name}" has an invalid doubleValue`);
  }
  if (typeof field.blobValue === 'string') {
    const bytes = Buffer.from(field.blobValue, 'base64');
    return [`\\x${bytes.toString('hex')}`, OID.bytea];
  }
  if (typeof field.stringValue === 'string') {
    if (hint === undefined) return [field.stringValue, OID.varchar];
    const format = HINT_FORMATS[hint];
    if (format && !format.pattern.test(field.stringValue)) {
      throw badRequest(`Parse Error for ${format.label}: input contains invalid characters`);
    }
    return [field.stringValue, HINT_TYPES[hint]];
  }
  throw badRequest(`Parameter "${name}" has value with no field set`);
}

/**
 * Binds the request's parameters to the positional parameters the SQL uses.
 * Parameters the SQL does not name are ignored; a name without a parameter is an error.
 */
export function bindParameters(names: readonly string[], parameters: readonly WireSqlParameter[] | undefined): BoundParameters {
  const byName = new Map<string, WireSqlParameter>();
  for (const parameter of parameters ?? []) {
    if (typeof parameter.name !== 'string' || parameter.name === '') {
      throw badRequest('Parameter name is required');
    }
    byName.set(parameter.name, parameter);
  }
  const values: (string | null)[] = [];
  const typeOids: number[] = [];
  for (const name of names) {
    const parameter = byName.get(name);
    if (parameter === undefined) throw badRequest(`No value specified for parameter: ${name}`);
    const hint = parameter.typeHint !== undefined && isTypeHint(parameter.typeHint) ? parameter.typeHint : undefined;
    const [value, oid] = bindField(name, parameter.value, hint);
    values.push(value);
    typeOids.push(oid);
  }
  return { values, typeOids };
}
