/**
 * `columnMetadata` entries as Aurora PostgreSQL's Data API reports them. The values follow the
 * PostgreSQL JDBC driver's ResultSetMetaData (JDBC type codes, precision/scale rules,
 * `serial` type names, empty schemaName), which is what captured Aurora responses show.
 */
import type pg from 'pg';
import { type ColumnAttributes, columnKey, type TypeCatalog, type TypeInfo } from './type-catalog.js';
import type { WireColumnMetadata } from './wire-types.js';

/** java.sql.Types codes. */
const JDBC = {
  BIT: -7,
  BIGINT: -5,
  BINARY: -2,
  CHAR: 1,
  NUMERIC: 2,
  INTEGER: 4,
  SMALLINT: 5,
  REAL: 7,
  DOUBLE: 8,
  VARCHAR: 12,
  DATE: 91,
  TIME: 92,
  TIMESTAMP: 93,
  OTHER: 1111,
  DISTINCT: 2001,
  STRUCT: 2002,
  ARRAY: 2003,
  SQLXML: 2009,
} as const;

const JDBC_BY_NAME: Record<string, number> = {
  bool: JDBC.BIT,
  bit: JDBC.BIT,
  bytea: JDBC.BINARY,
  char: JDBC.CHAR,
  bpchar: JDBC.CHAR,
  name: JDBC.VARCHAR,
  int8: JDBC.BIGINT,
  oid: JDBC.BIGINT,
  int2: JDBC.SMALLINT,
  int4: JDBC.INTEGER,
  text: JDBC.VARCHAR,
  varchar: JDBC.VARCHAR,
  float4: JDBC.REAL,
  float8: JDBC.DOUBLE,
  money: JDBC.DOUBLE,
  numeric: JDBC.NUMERIC,
  date: JDBC.DATE,
  time: JDBC.TIME,
  timetz: JDBC.TIME,
  timestamp: JDBC.TIMESTAMP,
  timestamptz: JDBC.TIMESTAMP,
  xml: JDBC.SQLXML,
};

const UNKNOWN_LENGTH = 2147483647;
const SIGNED = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']);
const CASE_INSENSITIVE = new Set([
  'oid',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'bool',
  'bit',
  'varbit',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
]);

function jdbcType(info: TypeInfo): number {
  if (info.elementOid !== 0) return JDBC.ARRAY;
  if (info.kind === 'enum') return JDBC.VARCHAR;
  if (info.kind === 'domain') return JDBC.DISTINCT;
  if (info.kind === 'composite') return JDBC.STRUCT;
  return JDBC_BY_NAME[info.name] ?? JDBC.OTHER;
}

/** Digits after the point of a time-like type with modifier `typmod`, plus the point. */
function secondsWidth(typmod: number): number {
  if (typmod === -1) return 7;
  if (typmod === 0) return 0;
  if (typmod === 1) return 3;
  return typmod + 1;
}

function precision(name: string, typmod: number): number {
  switch (name) {
    case 'int2':
      return 5;
    case 'int4':
    case 'oid':
      return 10;
    case 'int8':
      return 19;
    case 'float4':
      return 8;
    case 'float8':
      return 17;
    case 'numeric':
      return typmod === -1 ? 0 : ((typmod - 4) >> 16) & 0xffff;
    case 'char':
    case 'bool':
      return 1;
    case 'bpchar':
    case 'varchar':
      return typmod === -1 ? UNKNOWN_LENGTH : typmod - 4;
    case 'date':
      return 13;
    case 'time':
      return 8 + secondsWidth(typmod);
    case 'timetz':
      return 8 + secondsWidth(typmod) + 6;
    case 'timestamp':
      return 13 + 1 + 8 + secondsWidth(typmod);
    case 'timestamptz':
      return 13 + 1 + 8 + secondsWidth(typmod) + 6;
    case 'interval':
      return 49;
    case 'bit':
      return typmod;
    case 'varbit':
      return typmod === -1 ? UNKNOWN_LENGTH : typmod;
    default:
      return UNKNOWN_LENGTH;
  }
}

function scale(name: string, typmod: number): number {
  switch (name) {
    case 'float4':
      return 8;
    case 'float8':
      return 17;
    case 'numeric':
      return typmod === -1 ? 0 : (typmod - 4) & 0xffff;
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'timestamptz':
      return typmod === -1 ? 6 : typmod;
    case 'interval':
      return typmod === -1 ? 6 : typmod & 0xffff;
    default:
      return 0;
  }
}

const SERIAL_NAMES: Record<string, string> = { int4: 'serial', int8: 'bigserial', int2: 'smallserial' };

export function columnMetadata(
  fields: readonly pg.FieldDef[],
  catalog: TypeCatalog,
  columns: ReadonlyMap<string, ColumnAttributes>,
): WireColumnMetadata[] {
  return fields.map((field) => {
    const info = catalog.get(field.dataTypeID);
    const element = info.elementOid !== 0 ? catalog.get(info.elementOid) : undefined;
    const shape = element ?? info;
    const column = field.tableID === 0 ? undefined : columns.get(columnKey(field.tableID, field.columnID));
    const autoIncrement = column?.autoIncrement ?? false;
    const typeName = autoIncrement ? (SERIAL_NAMES[info.name] ?? info.name) : info.name;
    return {
      name: field.name,
      type: jdbcType(info),
      typeName,
      label: field.name,
      schemaName: '',
      tableName: column?.tableName ?? '',
      isAutoIncrement: autoIncrement,
      isSigned: SIGNED.has(shape.name),
      isCurrency: shape.name === 'money',
      isCaseSensitive: !CASE_INSENSITIVE.has(shape.name),
      nullable: column?.notNull ? 0 : 1,
      precision: precision(shape.name, field.dataTypeModifier),
      scale: scale(shape.name, field.dataTypeModifier),
      arrayBaseColumnType: element ? jdbcType(element) : 0,
    };
  });
}
