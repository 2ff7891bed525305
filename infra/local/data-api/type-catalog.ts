/**
 * What the catalog says about a result's columns: each type's name and kind (looked up once
 * per OID and cached; built-in types are known without a query) and, for columns read from
 * a table, the table name, NOT NULL and whether the column is auto-incremented.
 */
import type pg from 'pg';

export type TypeKind = 'base' | 'enum' | 'domain' | 'composite' | 'range' | 'multirange' | 'pseudo';

export interface TypeInfo {
  readonly oid: number;
  /** `pg_type.typname`, e.g. `int4`, `_text`, `my_enum`. */
  readonly name: string;
  readonly kind: TypeKind;
  /** For array types the element type, else 0. */
  readonly elementOid: number;
  /** For domains the underlying type, else 0. */
  readonly baseOid: number;
}

const BUILT_IN: readonly [number, string, number?][] = [
  [16, 'bool'],
  [17, 'bytea'],
  [18, 'char'],
  [19, 'name'],
  [20, 'int8'],
  [21, 'int2'],
  [23, 'int4'],
  [24, 'regproc'],
  [25, 'text'],
  [26, 'oid'],
  [114, 'json'],
  [142, 'xml'],
  [650, 'cidr'],
  [700, 'float4'],
  [701, 'float8'],
  [790, 'money'],
  [829, 'macaddr'],
  [869, 'inet'],
  [1042, 'bpchar'],
  [1043, 'varchar'],
  [1082, 'date'],
  [1083, 'time'],
  [1114, 'timestamp'],
  [1184, 'timestamptz'],
  [1186, 'interval'],
  [1266, 'timetz'],
  [1560, 'bit'],
  [1562, 'varbit'],
  [1700, 'numeric'],
  [2205, 'regclass'],
  [2206, 'regtype'],
  [2950, 'uuid'],
  [3802, 'jsonb'],
  [1000, '_bool', 16],
  [1001, '_bytea', 17],
  [1005, '_int2', 21],
  [1007, '_int4', 23],
  [1009, '_text', 25],
  [1014, '_bpchar', 1042],
  [1015, '_varchar', 1043],
  [1016, '_int8', 20],
  [1021, '_float4', 700],
  [1022, '_float8', 701],
  [1115, '_timestamp', 1114],
  [1182, '_date', 1082],
  [1183, '_time', 1083],
  [1185, '_timestamptz', 1184],
  [1231, '_numeric', 1700],
  [199, '_json', 114],
  [2951, '_uuid', 2950],
  [3807, '_jsonb', 3802],
];

const KINDS: Record<string, TypeKind> = {
  b: 'base',
  e: 'enum',
  d: 'domain',
  c: 'composite',
  r: 'range',
  m: 'multirange',
  p: 'pseudo',
};

export interface ColumnAttributes {
  readonly tableName: string;
  readonly notNull: boolean;
  readonly autoIncrement: boolean;
}

export const columnKey = (tableOid: number, columnNumber: number): string => `${tableOid}:${columnNumber}`;

export class TypeCatalog {
  readonly #types = new Map<number, TypeInfo>();

  constructor() {
    for (const [oid, name, elementOid = 0] of BUILT_IN) {
      this.#types.set(oid, { oid, name, kind: 'base', elementOid, baseOid: 0 });
    }
  }

  /** The cached description of a type; `resolve` must have seen it. */
  get(oid: number): TypeInfo {
    return this.#types.get(oid) ?? { oid, name: String(oid), kind: 'base', elementOid: 0, baseOid: 0 };
  }

  /** Looks up (on `client`) every type in `oids` not yet known, with their element and base types. */
  async resolve(client: pg.ClientBase, oids: Iterable<number>): Promise<void> {
    let missing = [...new Set(oids)].filter((oid) => oid !== 0 && !this.#types.has(oid));
    while (missing.length > 0) {
      const result = await client.query<{
        oid: string;
        typname: string;
        typtype: string;
        typelem: string;
        typbasetype: string;
        typcategory: string;
      }>({
        text: 'SELECT oid, typname, typtype, typelem, typbasetype, typcategory FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])',
        values: [missing.map(String)],
      });
      const next: number[] = [];
      for (const row of result.rows) {
        const info: TypeInfo = {
          oid: Number(row.oid),
          name: row.typname,
          kind: KINDS[row.typtype] ?? 'base',
          elementOid: row.typcategory === 'A' ? Number(row.typelem) : 0,
          baseOid: Number(row.typbasetype),
        };
        this.#types.set(info.oid, info);
        for (const related of [info.elementOid, info.baseOid]) {
          if (related !== 0 && !this.#types.has(related)) next.push(related);
        }
      }
      for (const oid of missing) {
        if (!this.#types.has(oid)) this.#types.set(oid, { oid, name: String(oid), kind: 'base', elementOid: 0, baseOid: 0 });
      }
      missing = [...new Set(next)];
    }
  }

  /** Follows domains down to the type that gives the value its shape. */
  effective(oid: number): TypeInfo {
    let info = this.get(oid);
    for (let depth = 0; info.kind === 'domain' && info.baseOid !== 0 && depth < 10; depth++) {
      info = this.get(info.baseOid);
    }
    return info;
  }
}

/** Table name, NOT NULL and auto-increment of every table column in `fields`. */
export async function lookupColumns(client: pg.ClientBase, fields: readonly pg.FieldDef[]): Promise<Map<string, ColumnAttributes>> {
  const tables = [...new Set(fields.filter((field) => field.tableID !== 0).map((field) => field.tableID))];
  const columns = new Map<string, ColumnAttributes>();
  if (tables.length === 0) return columns;
  const result = await client.query<{ attrelid: string; attnum: number; relname: string; attnotnull: boolean; auto: boolean }>({
    text: `SELECT a.attrelid, a.attnum, c.relname, a.attnotnull,
             (a.attidentity <> '' OR coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') LIKE '%nextval(%') AS auto
           FROM pg_catalog.pg_attribute a
           JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
           LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0`,
    values: [tables.map(String)],
  });
  for (const row of result.rows) {
    columns.set(columnKey(Number(row.attrelid), Number(row.attnum)), {
      tableName: row.relname,
      notNull: row.attnotnull,
      autoIncrement: row.auto,
    });
  }
  return columns;
}
