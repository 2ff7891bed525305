import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../functions/config.js';
import { ROLES, type Role } from '../../functions/auth/permissions.js';
import { issueDevToken, loadOrCreateDevKeys } from './dev-auth.js';

const USAGE = 'usage: npm run token -- --role <admin|manager|sales_rep|service|viewer>[,<role>…] [--sub <uuid>] [--ttl 1h|30m|3600s]';

/** "1h", "30m", "90s" or a bare number of seconds. */
function parseTtl(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new Error(`--ttl must look like 1h, 30m or 3600s, got "${value}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** `npm run token`: prints a bearer token signed with the local server's development key; the last line is the token. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { role: { type: 'string', multiple: true }, sub: { type: 'string' }, ttl: { type: 'string', default: '1h' } },
  });
  const roles = (values.role ?? []).flatMap((value) => value.split(',')).map((role) => role.trim());
  const unknown = roles.filter((role) => !ROLES.includes(role as Role));
  if (roles.length === 0 || unknown.length > 0) {
    throw new Error(`${unknown.length ? `unknown role ${unknown.join(', ')}; ` : ''}${USAGE}`);
  }
  const sub = values.sub ?? randomUUID();
  const ttlSeconds = parseTtl(values.ttl);
  const keys = await loadOrCreateDevKeys(loadConfig().dataDir);
  const token = await issueDevToken(keys, { roles: roles as Role[], sub, ttlSeconds });
  process.stdout.write(`# roles=${roles.join(',')} sub=${sub} expires in ${ttlSeconds}s\n${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
