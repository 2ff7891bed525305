import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/** The PostgreSQL roles the functions use (created by migrations/2026-11-28T05-00-00_database-roles.ts). */
export const DATABASE_ROLES = {
  /** SELECT only: the read route group. */
  read: 'customer_mgmt_app_read',
  /** SELECT, INSERT, UPDATE, DELETE: the write route group, the consumers and the relay. */
  write: 'customer_mgmt_app_write',
} as const;
export type DatabaseRole = keyof typeof DATABASE_ROLES;

const KNOWN = new Set<string>(Object.values(DATABASE_ROLES));

/** A role's credentials as its Secrets Manager secret holds them (plus other keys, ignored). */
export interface RoleCredentials {
  readonly username: string;
  readonly password: string;
}

const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, PostgreSQL's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`). Given to ALTER ROLE … PASSWORD,
 * PostgreSQL stores it as is, so the password itself never travels in a statement or a log.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Parses a secret string; throws naming what is missing (never the value). */
export function parseRoleSecret(secretString: string | undefined): RoleCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    throw new Error('a database role secret is not JSON');
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || !KNOWN.has(username)) {
    throw new Error(`a database role secret names ${JSON.stringify(username)}, not one of ${[...KNOWN].join(', ')}`);
  }
  if (typeof password !== 'string' || password.length < 16) throw new Error(`the secret of ${username} has no usable password`);
  return { username, password };
}

/**
 * Gives each role the password its secret holds (as a SCRAM verifier), every deploy: a secret
 * changed by hand takes effect at the next deploy. Only the known application roles are touched.
 */
export async function setRolePasswords(db: Kysely<any>, roles: readonly RoleCredentials[]): Promise<string[]> {
  for (const { username, password } of roles) {
    if (!KNOWN.has(username)) throw new Error(`refusing to set the password of ${username}: not an application role`);
    await sql`ALTER ROLE ${sql.id(username)} WITH LOGIN PASSWORD ${sql.lit(scramVerifier(password))}`.execute(db);
  }
  return roles.map((role) => role.username);
}
