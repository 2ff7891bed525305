import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_ROLES, parseRoleSecret, scramVerifier, setRolePasswords } from '../../functions/db/database-roles.js';
import { migrateToLatest } from '../../functions/db/migrate.js';

// pg's own SCRAM client: an independent implementation to check our verifier against.
const sasl = createRequire(import.meta.url)('pg/lib/crypto/sasl.js') as {
  startSession(mechanisms: string[]): { clientNonce: string; response: string; serverSignature?: string };
  continueSession(session: object, password: string, serverData: string): Promise<void>;
};

describe('role passwords as SCRAM-SHA-256 verifiers', () => {
  it('a client that knows the password passes the server-side SCRAM check against our verifier', async () => {
    const password = randomBytes(24).toString('base64url');
    const verifier = scramVerifier(password);
    const [, iterations, salt, storedKey, serverKey] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier)!;

    const session = sasl.startSession(['SCRAM-SHA-256']);
    const nonce = `${session.clientNonce}server`;
    await sasl.continueSession(session, password, `r=${nonce},s=${salt},i=${iterations}`);
    const [withoutProof, proof] = session.response.split(',p=') as [string, string];
    const authMessage = `n=*,r=${session.clientNonce},r=${nonce},s=${salt},i=${iterations},${withoutProof}`;
    const clientSignature = createHmac('sha256', Buffer.from(storedKey!, 'base64')).update(authMessage).digest();
    const clientKey = Buffer.from(proof, 'base64').map((byte, index) => byte ^ clientSignature[index]!);

    expect(createHash('sha256').update(clientKey).digest('base64')).toBe(storedKey);
    expect(createHmac('sha256', Buffer.from(serverKey!, 'base64')).update(authMessage).digest('base64')).toBe(session.serverSignature);
  });

  it('accepts only the application roles’ secrets, and never echoes a password', () => {
    expect(parseRoleSecret(JSON.stringify({ username: DATABASE_ROLES.read, password: 'x'.repeat(30), host: 'h' }))).toEqual({
      username: DATABASE_ROLES.read,
      password: 'x'.repeat(30),
    });
    expect(() => parseRoleSecret(JSON.stringify({ username: 'postgres', password: 'p'.repeat(30) }))).toThrow(/not one of/);
    expect(() => parseRoleSecret(JSON.stringify({ username: DATABASE_ROLES.write, password: 'short' }))).toThrow(/no usable password/);
    expect(() => parseRoleSecret('{oops')).toThrow('not JSON');
  });
});

// Roles are server-wide, so this needs a real PostgreSQL server (CI sets DATABASE_URL).
describe.skipIf(!process.env.DATABASE_URL)('least-privilege roles on PostgreSQL', () => {
  const name = `cm_roles_${process.pid}_${randomBytes(3).toString('hex')}`;
  const passwords = { read: randomBytes(24).toString('base64url'), write: randomBytes(24).toString('base64url') };
  let admin: Kysely<any>;
  const urlFor = (user?: string, password?: string) => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    if (user) url.username = user;
    if (password) url.password = password;
    return url.toString();
  };
  /** Runs one statement as the role, over its own login; resolves with the SQLSTATE of a failure, or 'ok'. */
  const as = async (role: 'read' | 'write', statement: string): Promise<string> => {
    const client = new pg.Client({ connectionString: urlFor(DATABASE_ROLES[role], passwords[role]) });
    await client.connect();
    try {
      await client.query(statement);
      return 'ok';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    const server = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await server.connect();
    await server.query(`create database ${name}`);
    await server.end();
    admin = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: urlFor(), max: 2 }) }) });
    await migrateToLatest(admin);
    await setRolePasswords(admin, [
      { username: DATABASE_ROLES.read, password: passwords.read },
      { username: DATABASE_ROLES.write, password: passwords.write },
    ]);
  });
  afterAll(async () => {
    await admin?.destroy();
    const server = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await server.connect();
    await server.query(`drop database if exists ${name} with (force)`);
    await server.end();
  });

  it('stores the passwords as SCRAM verifiers (never in clear)', async () => {
    const { rows } = await sql<{ rolname: string; rolpassword: string }>`
      select rolname, rolpassword from pg_authid where rolname in (${DATABASE_ROLES.read}, ${DATABASE_ROLES.write}) order by rolname`.execute(
      admin,
    );
    expect(rows.map((row) => row.rolname)).toEqual([DATABASE_ROLES.read, DATABASE_ROLES.write]);
    for (const row of rows) expect(row.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('the read role reads and cannot write', async () => {
    expect(await as('read', 'select count(*) from customer_mgmt_customers')).toBe('ok');
    expect(
      await as('read', 'insert into customer_mgmt_sales_reps (user_id, active, updated_at) values (gen_random_uuid(), true, now())'),
    ).toBe('42501');
    expect(await as('read', 'update customer_mgmt_events set published_at = now()')).toBe('42501');
    expect(await as('read', 'delete from customer_mgmt_idempotency_keys')).toBe('42501');
  });

  it('the write role changes rows but cannot change the schema or the migration bookkeeping', async () => {
    expect(
      await as('write', 'insert into customer_mgmt_sales_reps (user_id, active, updated_at) values (gen_random_uuid(), true, now())'),
    ).toBe('ok');
    expect(await as('write', 'delete from customer_mgmt_sales_reps')).toBe('ok');
    expect(await as('write', 'create table customer_mgmt_intruder (id int)')).toBe('42501');
    expect(await as('write', 'alter table customer_mgmt_customers add column intruder int')).toBe('42501');
    expect(await as('write', 'select * from kysely_migration')).toBe('42501');
  });

  it('the roles can only be given passwords as application roles', async () => {
    await expect(setRolePasswords(admin, [{ username: 'postgres', password: 'p'.repeat(30) }])).rejects.toThrow(/not an application role/);
  });
});
