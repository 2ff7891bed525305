/**
 * PostgreSQL rows (raw text as the server printed it) → Data API `records` (arrays of Field)
 * or `formattedRecords` (a JSON string of objects keyed by column label).
 *
 * int2/int4/int8 → longValue, float4/float8 → doubleValue, bool → booleanValue,
 * bytea → blobValue (base64), arrays → arrayValue, NULL → isNull, everything else
 * (numeric, uuid, json, enums, dates and times, text) → stringValue; timestamptz and timetz
 * are given in UTC without a zone.
 */
import type pg from 'pg';
import { unsupportedResult } from './errors.js';
import { ExactNumber, jsonDouble } from './exact-json.js';
import { type ArrayElement, arrayDepth, byteaToBase64, parseArrayLiteral, timestamptzToUtc, timetzToUtc } from './pg-text.js';
import type { TypeCatalog, TypeInfo } from './type-catalog.js';
import type { ResultSetOptions } from './wire-types.js';

type Category = 'bool' | 'long' | 'double' | 'decimal' | 'blob' | 'timestamptz' | 'timetz' | 'string';

const CATEGORIES: Record<string, Category> = {
  bool: 'bool',
  int2: 'long',
  int4: 'long',
  int8: 'long',
  float4: 'double',
  float8: 'double',
  numeric: 'decimal',
  bytea: 'blob',
  timestamptz: 'timestamptz',
  timetz: 'timetz',
};

const UNSUPPORTED_TYPES = new Set([
  'regproc',
  'regprocedure',
  'regoper',
  'regoperator',
  'regclass',
  'regtype',
  'regrole',
  'regnamespace',
  'regconfig',
  'regdictionary',
  'regcollation',
]);

interface Column {
  readonly label: string;
  readonly category: Category;
  readonly element?: Category;
}

function categoryOf(info: TypeInfo): Category {
  if (info.name === 'char') throw unsupportedResult('The result contains the unsupported data type "CHAR".');
  if (UNSUPPORTED_TYPES.has(info.name)) throw unsupportedResult(`The result contains the unsupported data type ${info.name}`);
  return CATEGORIES[info.name] ?? 'string';
}

function describeColumns(fields: readonly pg.FieldDef[], catalog: TypeCatalog): Column[] {
  return fields.map((field) => {
    const info = catalog.effective(field.dataTypeID);
    if (info.elementOid !== 0) {
      return { label: field.name, category: 'string', element: categoryOf(catalog.effective(info.elementOid)) };
    }
    return { label: field.name, category: categoryOf(info) };
  });
}

/** One non-null scalar as it appears inside `formattedRecords` (and as array elements). */
function plainValue(category: Category, text: string, options: ResultSetOptions): unknown {
  switch (category) {
    case 'bool':
      return text === 't';
    case 'long':
      return options.longReturnType === 'STRING' ? text : new ExactNumber(text);
    case 'double':
      return jsonDouble(text);
    case 'decimal':
      if (options.decimalReturnType !== 'DOUBLE_OR_LONG') return text;
      return /^-?\d+$/.test(text) ? new ExactNumber(text) : jsonDouble(text);
    case 'blob':
      return byteaToBase64(text);
    case 'timestamptz':
      return timestamptzToUtc(text);
    case 'timetz':
      return timetzToUtc(text);
    default:
      return text;
  }
}

function parseArray(text: string): ArrayElement[] {
  const items = parseArrayLiteral(text);
  if (arrayDepth(items) > 1) throw unsupportedResult('The result contains a multidimensional array.');
  return items;
}

function arrayField(element: Category, text: string, options: ResultSetOptions): Record<string, unknown> {
  const items = parseArray(text).map((item) => (item === null ? null : plainValue(element, item as string, options)));
  switch (element) {
    case 'bool':
      return { booleanValues: items };
    case 'long':
      return options.longReturnType === 'STRING' ? { stringValues: items } : { longValues: items };
    case 'double':
      return { doubleValues: items };
    default:
      return { stringValues: items };
  }
}

function fieldValue(column: Column, text: string | null, options: ResultSetOptions): Record<string, unknown> {
  if (text === null) return { isNull: true };
  if (column.element !== undefined) return { arrayValue: arrayField(column.element, text, options) };
  const value = plainValue(column.category, text, options);
  switch (column.category) {
    case 'bool':
      return { booleanValue: value };
    case 'long':
      return typeof value === 'string' ? { stringValue: value } : { longValue: value };
    case 'double':
      return { doubleValue: value };
    case 'decimal':
      if (typeof value === 'string') return { stringValue: value };
      return value instanceof ExactNumber ? { longValue: value } : { doubleValue: value };
    case 'blob':
      return { blobValue: value };
    default:
      return { stringValue: value };
  }
}

function jsonValue(column: Column, text: string | null, options: ResultSetOptions): unknown {
  if (text === null) return null;
  if (column.element !== undefined) {
    const element = column.element;
    return parseArray(text).map((item) => (item === null ? null : plainValue(element, item as string, options)));
  }
  return plainValue(column.category, text, options);
}

/** `records`: one array of Field per row. */
export function toRecords(
  fields: readonly pg.FieldDef[],
  rows: readonly (string | null)[][],
  catalog: TypeCatalog,
  options: ResultSetOptions = {},
): Record<string, unknown>[][] {
  const columns = describeColumns(fields, catalog);
  return rows.map((row) => columns.map((column, i) => fieldValue(column, row[i] ?? null, options)));
}

/** The rows of `formattedRecords` (objects keyed by column label), before serialisation. */
export function toJsonRecords(
  fields: readonly pg.FieldDef[],
  rows: readonly (string | null)[][],
  catalog: TypeCatalog,
  options: ResultSetOptions = {},
): Record<string, unknown>[] {
  const columns = describeColumns(fields, catalog);
  return rows.map((row) => {
    const record: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      record[column.label] = jsonValue(column, row[i] ?? null, options);
    });
    return record;
  });
}
