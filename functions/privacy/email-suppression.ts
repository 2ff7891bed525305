import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { loadConfig } from '../config.js';

/** The suppression list: peppered hashes of erased emails (docs/privacy.md); never the emails themselves. */
export const EMAIL_SUPPRESSIONS = 'customer_mgmt_email_suppressions' as const;

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_email_suppressions: { email_hash: string; created_at: string | Date };
  }
}

const PEPPER_FILE = 'privacy-pepper';
let pepper: Buffer | undefined;
/** The pepper as a key object, made once: every customer insert hashes its email under it. */
let pepperKey: KeyObject | undefined;

/**
 * The pepper of the email hashes: PRIVACY_EMAIL_PEPPER (on AWS, from Secrets Manager through the
 * function's environment), else a random secret generated once under DATA_DIR, like the
 * development signing key. Without it a hash of a guessed email could be checked offline.
 */
function emailPepper(): Buffer {
  if (pepper) return pepper;
  const config = loadConfig();
  if (config.privacyEmailPepper) return (pepper = Buffer.from(config.privacyEmailPepper, 'utf8'));
  const file = join(config.dataDir, PEPPER_FILE);
  try {
    pepper = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  } catch {
    mkdirSync(config.dataDir, { recursive: true });
    const generated = randomBytes(32).toString('hex');
    try {
      writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      // Another process created it first: use theirs.
    }
    pepper = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  }
  return pepper;
}

/** HMAC-SHA-256 of the lower-cased email under the pepper, as hex. */
export function emailHash(email: string): string {
  pepperKey ??= createSecretKey(emailPepper());
  return createHmac('sha256', pepperKey).update(email.trim().toLowerCase(), 'utf8').digest('hex');
}

/** Whether the email is on the suppression list, as SQL (a guard of the customer insert). */
export function emailSuppressed(email: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from ${sql.table(EMAIL_SUPPRESSIONS)} where email_hash = ${emailHash(email)})`;
}
