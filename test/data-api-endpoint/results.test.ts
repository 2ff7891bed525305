import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, type Harness, startHarness } from './endpoint-harness.js';

describe.each(backends)('results on %s', (backend) => {
  let h: Harness;
  let all: string;
  beforeAll(async () => {
    h = await startHarness(backend);
    all = h.table('all_types');
    await h.execute(`CREATE TYPE ${h.table('mood')} AS ENUM ('happy', 'sad')`);
    await h.execute(`CREATE TABLE ${all} (
      id serial PRIMARY KEY,
      uid uuid NOT NULL,
      i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, num numeric(10,2), flag bool, bin bytea,
      tags text[], nums int4[], mood ${h.table('mood')}, doc json, docb jsonb,
      d date, t time, ts timestamp, tstz timestamptz, txt text, vc varchar(20))`);
    await h.execute(`INSERT INTO ${all} (uid, i2, i4, i8, f4, f8, num, flag, bin, tags, nums, mood, doc, docb, d, t, ts, tstz, txt, vc)
      VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 2, 4, 9007199254740993, 1.5, 2.25, 12.5, true, '\\x00ff',
              '{a,"b c",NULL}', '{1,2}', 'sad', '{"k": [1, 2]}', '{"k": [1, 2]}',
              '2024-02-29', '13:45:01.5', '2021-01-01 10:00:00.120', '2021-03-03 10:31:15.077+02', 'text', 'varchar')`);
    await h.execute(`INSERT INTO ${all} (uid) VALUES ('b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12')`);
  });
  afterAll(() => h.close());

  it('maps each PostgreSQL type to its Field', async () => {
    const result = await h.execute(`SELECT * FROM ${all} ORDER BY id`);
    const [full, empty] = result.records ?? [];
    expect(full?.map((field) => ({ ...field, blobValue: field.blobValue && Array.from(field.blobValue) }))).toEqual([
      { longValue: 1 },
      { stringValue: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
      { longValue: 2 },
      { longValue: 4 },
      { longValue: 9007199254740992 }, // the JavaScript SDK rounds it; the wire carries every digit
      { doubleValue: 1.5 },
      { doubleValue: 2.25 },
      { stringValue: '12.50' },
      { booleanValue: true },
      { blobValue: [0, 255] },
      { arrayValue: { stringValues: ['a', 'b c', null] } },
      { arrayValue: { longValues: [1, 2] } },
      { stringValue: 'sad' },
      { stringValue: '{"k": [1, 2]}' },
      { stringValue: '{"k": [1, 2]}' },
      { stringValue: '2024-02-29' },
      { stringValue: '13:45:01.5' },
      { stringValue: '2021-01-01 10:00:00.12' },
      { stringValue: '2021-03-03 08:31:15.077' },
      { stringValue: 'text' },
      { stringValue: 'varchar' },
    ]);
    expect(empty?.slice(2)).toEqual(Array.from({ length: 19 }, () => ({ isNull: true })));
    expect(result.numberOfRecordsUpdated).toBe(0);
    expect(result.columnMetadata).toBeUndefined();
  });

  it('gives timestamptz and timetz in UTC without a zone and trims the fraction as PostgreSQL prints it', async () => {
    const result = await h.execute(
      `SELECT '2024-05-01 23:30:00-05:30'::timestamptz, '2024-05-01 12:00:00.123400+00'::timestamptz,
              '15:30:00-08'::timetz, '2024-05-01 12:00:00'::timestamp`,
    );
    expect(result.records).toEqual([
      [
        { stringValue: '2024-05-02 05:00:00' },
        { stringValue: '2024-05-01 12:00:00.1234' },
        { stringValue: '23:30:00' },
        { stringValue: '2024-05-01 12:00:00' },
      ],
    ]);
  });

  it('describes columns as Aurora PostgreSQL does when includeResultMetadata is set', async () => {
    const result = await h.execute(`SELECT id, uid, num, flag, tstz, docb, txt, nums, vc, 1 + 1 AS two FROM ${all} LIMIT 1`, {
      includeResultMetadata: true,
    });
    const column = (name: string) => result.columnMetadata?.find((entry) => entry.name === name);
    const base = { schemaName: '', tableName: 'all_types', isCurrency: false, arrayBaseColumnType: 0 };
    expect(column('id')).toEqual({
      ...base,
      name: 'id',
      label: 'id',
      type: 4,
      typeName: 'serial',
      isAutoIncrement: true,
      isSigned: true,
      isCaseSensitive: false,
      nullable: 0,
      precision: 10,
      scale: 0,
    });
    expect(column('uid')).toEqual({
      ...base,
      name: 'uid',
      label: 'uid',
      type: 1111,
      typeName: 'uuid',
      isAutoIncrement: false,
      isSigned: false,
      isCaseSensitive: true,
      nullable: 0,
      precision: 2147483647,
      scale: 0,
    });
    expect(column('num')).toMatchObject({ type: 2, typeName: 'numeric', isSigned: true, nullable: 1, precision: 10, scale: 2 });
    expect(column('flag')).toMatchObject({ type: -7, typeName: 'bool', precision: 1, isCaseSensitive: false });
    expect(column('tstz')).toMatchObject({ type: 93, typeName: 'timestamptz', precision: 35, scale: 6 });
    expect(column('docb')).toMatchObject({ type: 1111, typeName: 'jsonb', isCaseSensitive: true });
    expect(column('txt')).toMatchObject({ type: 12, typeName: 'text', precision: 2147483647 });
    expect(column('nums')).toMatchObject({ type: 2003, typeName: '_int4', arrayBaseColumnType: 4 });
    expect(column('vc')).toMatchObject({ type: 12, typeName: 'varchar', precision: 20 });
    expect(column('two')).toMatchObject({ type: 4, typeName: 'int4', tableName: '', nullable: 1, label: 'two' });
  });

  it('returns formattedRecords instead of records for formatRecordsAs JSON', async () => {
    const result = await h.execute(`SELECT id, i8, f8, num, flag, bin, tags, nums, docb, tstz, txt, i2 FROM ${all} ORDER BY id`, {
      formatRecordsAs: 'JSON',
    });
    expect(result.records).toBeUndefined();
    expect(JSON.parse(result.formattedRecords ?? '')).toEqual([
      {
        id: 1,
        i8: 9007199254740992,
        f8: 2.25,
        num: '12.50',
        flag: true,
        bin: 'AP8=',
        tags: ['a', 'b c', null],
        nums: [1, 2],
        docb: '{"k": [1, 2]}',
        tstz: '2021-03-03 08:31:15.077',
        txt: 'text',
        i2: 2,
      },
      {
        id: 2,
        i8: null,
        f8: null,
        num: null,
        flag: null,
        bin: null,
        tags: null,
        nums: null,
        docb: null,
        tstz: null,
        txt: null,
        i2: null,
      },
    ]);
  });

  it('applies resultSetOptions to longs and decimals', async () => {
    const asString = await h.execute('SELECT 7::int8, ARRAY[1,2]::int8[]', { resultSetOptions: { longReturnType: 'STRING' } });
    expect(asString.records).toEqual([[{ stringValue: '7' }, { arrayValue: { stringValues: ['1', '2'] } }]]);
    const asNumber = await h.execute('SELECT 12.5::numeric, 12::numeric, 12.5::numeric(4,1)', {
      resultSetOptions: { decimalReturnType: 'DOUBLE_OR_LONG' },
    });
    expect(asNumber.records).toEqual([[{ doubleValue: 12.5 }, { longValue: 12 }, { doubleValue: 12.5 }]]);
  });

  it('counts updated records for INSERT, UPDATE and DELETE and none for a SELECT or RETURNING', async () => {
    const table = h.table('counted');
    await h.execute(`CREATE TABLE ${table} (n int)`);
    const insert = await h.execute(`INSERT INTO ${table} VALUES (1), (2), (3)`, { includeResultMetadata: true });
    expect(insert).toMatchObject({ numberOfRecordsUpdated: 3, generatedFields: [] });
    expect(insert.records).toBeUndefined();
    expect(insert.columnMetadata).toBeUndefined();
    expect((await h.execute(`UPDATE ${table} SET n = n + 1 WHERE n >= 2`)).numberOfRecordsUpdated).toBe(2);
    const returning = await h.execute(`INSERT INTO ${table} VALUES (9) RETURNING n`);
    expect(returning.numberOfRecordsUpdated).toBe(0);
    expect(returning.records).toEqual([[{ longValue: 9 }]]);
    expect((await h.execute(`DELETE FROM ${table}`)).numberOfRecordsUpdated).toBe(4);
    expect(await h.execute(`SELECT * FROM ${table}`)).toMatchObject({ numberOfRecordsUpdated: 0, records: [] });
  });

  it('reports SQL errors as DatabaseErrorException with the PostgreSQL message, detail and SQLState', async () => {
    const table = h.table('unique_names');
    await h.execute(`CREATE TABLE ${table} (name text CONSTRAINT unique_names_pk PRIMARY KEY)`);
    await h.execute(`INSERT INTO ${table} VALUES ('x')`);
    const duplicate = await failure(h.execute(`INSERT INTO ${table} VALUES ('x')`));
    expect(duplicate.name).toBe('DatabaseErrorException');
    expect(duplicate.$metadata?.httpStatusCode).toBe(400);
    expect(duplicate.message).toBe(
      'ERROR: duplicate key value violates unique constraint "unique_names_pk"\n  Detail: Key (name)=(x) already exists.; SQLState: 23505',
    );
    const division = await failure(h.execute('SELECT 1/0'));
    expect(division.message).toBe('ERROR: division by zero; SQLState: 22012');
  });

  it('refuses types and arrays that the Data API cannot return', async () => {
    const char = await failure(h.execute(`SELECT 'a'::"char"`));
    expect(char.name).toBe('UnsupportedResultException');
    expect(char.message).toBe('The result contains the unsupported data type "CHAR".');
    const regtype = await failure(h.execute(`SELECT 'int4'::regtype`));
    expect(regtype.name).toBe('UnsupportedResultException');
    const nested = await failure(h.execute('SELECT ARRAY[[1,2],[3,4]]'));
    expect(nested.name).toBe('UnsupportedResultException');
  });

  it('fails a response over 1 MiB with the error AWS gives', async () => {
    const error = await failure(h.execute(`SELECT repeat('x', 1100000) AS big`));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toBe('Database returned more than the allowed response size limit');
    const fits = await h.execute(`SELECT length(repeat('x', 1000000)) AS n`);
    expect(fits.records).toEqual([[{ longValue: 1000000 }]]);
  });
});
