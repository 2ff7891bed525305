import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, type Harness, startHarness } from './endpoint-harness.js';

describe.each(backends)('parameters on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
    await h.execute(`CREATE TABLE ${h.table('items')} (id uuid PRIMARY KEY, name text, n int4)`);
  });
  afterAll(() => h.close());

  it('binds each Field kind with its SQL type', async () => {
    const result = await h.execute(
      `SELECT pg_typeof(:s)::text, pg_typeof(:l)::text, pg_typeof(:d)::text, pg_typeof(:b)::text,
              pg_typeof(:blob)::text, :nothing::text IS NULL AS is_null, :s AS s, :l AS l, :d AS d, :b AS b, :blob AS blob`,
      {
        parameters: [
          { name: 's', value: { stringValue: 'héllo' } },
          { name: 'l', value: { longValue: 9_000_000_000 } },
          { name: 'd', value: { doubleValue: 1.25 } },
          { name: 'b', value: { booleanValue: true } },
          { name: 'blob', value: { blobValue: new Uint8Array([0, 1, 254, 255]) } },
          { name: 'nothing', value: { isNull: true } },
          { name: 'unused', value: { stringValue: 'ignored' } },
        ],
      },
    );
    const row = result.records?.[0];
    expect(row?.slice(0, 6)).toEqual([
      { stringValue: 'character varying' },
      { stringValue: 'bigint' },
      { stringValue: 'double precision' },
      { stringValue: 'boolean' },
      { stringValue: 'bytea' },
      { booleanValue: true },
    ]);
    expect(row?.[6]).toEqual({ stringValue: 'héllo' });
    expect(row?.[7]).toEqual({ longValue: 9_000_000_000 });
    expect(row?.[8]).toEqual({ doubleValue: 1.25 });
    expect(row?.[9]).toEqual({ booleanValue: true });
    expect(Array.from(row?.[10]?.blobValue ?? [])).toEqual([0, 1, 254, 255]);
  });

  it('binds typeHint strings with the matching type', async () => {
    const result = await h.execute(
      `SELECT pg_typeof(:date)::text, pg_typeof(:time)::text, pg_typeof(:ts)::text, pg_typeof(:dec)::text,
              pg_typeof(:json)::text, pg_typeof(:uuid)::text, :date::text, :time::text, :ts::text, :dec::text, :json::text`,
      {
        parameters: [
          { name: 'date', value: { stringValue: '2024-02-29' }, typeHint: 'DATE' },
          { name: 'time', value: { stringValue: '13:45:01.123' }, typeHint: 'TIME' },
          { name: 'ts', value: { stringValue: '2024-02-29 13:45:01.5' }, typeHint: 'TIMESTAMP' },
          { name: 'dec', value: { stringValue: '12345678901234567890.0123' }, typeHint: 'DECIMAL' },
          { name: 'json', value: { stringValue: '{"b":1,"a":[true]}' }, typeHint: 'JSON' },
          { name: 'uuid', value: { stringValue: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' }, typeHint: 'UUID' },
        ],
      },
    );
    expect(result.records?.[0]?.map((field) => field.stringValue)).toEqual([
      'date',
      'time without time zone',
      'timestamp without time zone',
      'numeric',
      'jsonb',
      'uuid',
      '2024-02-29',
      '13:45:01.123',
      '2024-02-29 13:45:01.5',
      '12345678901234567890.0123',
      '{"a": [true], "b": 1}',
    ]);
  });

  it.each([
    ['DATE', '2024-02-29T00:00:00Z', 'Parse Error for Date: input contains invalid characters'],
    ['TIME', '13:45', 'Parse Error for Time: input contains invalid characters'],
    ['TIMESTAMP', '2026-07-22T02:17:21.804Z', 'Parse Error for TimeStamp: input contains invalid characters'],
  ] as const)('refuses a %s hint on %s', async (typeHint, stringValue, message) => {
    const error = await failure(h.execute('SELECT :v', { parameters: [{ name: 'v', value: { stringValue }, typeHint }] }));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toBe(message);
  });

  it('refuses an unknown typeHint as the model does', async () => {
    const error = await failure(
      h.execute('SELECT :v', { parameters: [{ name: 'v', value: { stringValue: 'x' }, typeHint: 'INTERVAL' as never }] }),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("Value 'INTERVAL' at 'parameters.1.member.typeHint' failed to satisfy constraint");
  });

  it('sends a plain string as varchar, so a uuid column refuses it as on Aurora', async () => {
    const id = { name: 'id', value: { stringValue: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' } };
    const insert = await failure(h.execute(`INSERT INTO ${h.table('items')} (id) VALUES (:id)`, { parameters: [id] }));
    expect(insert.name).toBe('DatabaseErrorException');
    expect(insert.message).toMatch(
      /^ERROR: column "id" is of type uuid but expression is of type character varying\n {2}Hint: .*; SQLState: 42804$/s,
    );

    const where = await failure(h.execute(`SELECT * FROM ${h.table('items')} WHERE id = :id`, { parameters: [id] }));
    expect(where.name).toBe('DatabaseErrorException');
    expect(where.message).toMatch(/^ERROR: operator does not exist: uuid = character varying\n/);
    expect(where.message).toMatch(/; SQLState: 42883$/);

    const hinted = { ...id, typeHint: 'UUID' as const };
    await h.execute(`INSERT INTO ${h.table('items')} (id) VALUES (:id)`, { parameters: [hinted] });
    const found = await h.execute(`SELECT id FROM ${h.table('items')} WHERE id = :id`, { parameters: [hinted] });
    expect(found.records).toEqual([[{ stringValue: id.value.stringValue }]]);
  });

  it('lets a long bind to an int4 column and an untyped NULL take the column type', async () => {
    const result = await h.execute(
      `INSERT INTO ${h.table('items')} (id, name, n) VALUES (gen_random_uuid(), :name, :n) RETURNING name, n`,
      {
        parameters: [
          { name: 'name', value: { isNull: true } },
          { name: 'n', value: { longValue: 42 } },
        ],
      },
    );
    expect(result.records).toEqual([[{ isNull: true }, { longValue: 42 }]]);
  });

  it('refuses array parameters as AWS does', async () => {
    const error = await failure(h.execute('SELECT :ids', { parameters: [{ name: 'ids', value: { arrayValue: { longValues: [1, 2] } } }] }));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toBe('Array parameters are not supported.');
  });

  it('refuses SQL naming a parameter that was not given', async () => {
    const error = await failure(h.execute('SELECT :missing'));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toBe('No value specified for parameter: missing');
  });

  it('takes no parameters from string literals, quoted identifiers, comments or casts', async () => {
    const result = await h.execute(`SELECT ':notparam' AS "a:b", '1'::int AS i /* :c */ -- :d`);
    expect(result.records).toEqual([[{ stringValue: ':notparam' }, { longValue: 1 }]]);
  });

  it('refuses several statements in one call, but not a trailing semicolon', async () => {
    const error = await failure(h.execute('SELECT 1; SELECT 2'));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe("Multistatements aren't supported.");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    const single = await h.execute('SELECT 1;');
    expect(single.records).toEqual([[{ longValue: 1 }]]);
  });
});
