import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDevToken, loadOrCreateDevKeys } from '../../infra/local/dev-auth.js';
import { runLocalCli, spawnLocalServer, type LocalProcess } from '../support/local-process.js';

const runExportCli = (args: string[], env: Record<string, string>) => runLocalCli('export-cli.ts', args, env);

/** The real local server and the real command: the export is queued, followed, and its file downloaded from DATA_DIR. */
describe('npm run export against npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-export-'));
  let server: LocalProcess;
  beforeAll(async () => {
    server = spawnLocalServer({ DATA_DIR: dataDir });
    // (expect.poll, which listening() uses, works only inside a test.)
    for (let waited = 0; !server.output().includes('customer-mgmt API listening'); waited += 100) {
      if (waited > 60_000 || !server.alive()) throw new Error(`the local server did not start:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const token = await issueDevToken(await loadOrCreateDevKeys(dataDir), { roles: ['admin'], sub: 'test', ttlSeconds: 600 });
    for (const [name, tags] of [
      ['Ada Lovelace', ['vip']],
      ['Alan Turing', []],
      ['Grace Hopper', ['vip', 'navy']],
    ] as const) {
      const response = await fetch(`${server.url}/api/v1/customer-mgmt/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, email: `${name.split(' ')[0]!.toLowerCase()}@cli.example`, tags }),
      });
      expect(response.status).toBe(201);
    }
  }, 90_000);
  afterAll(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the file, shows the progress to 100 % and prints the counts and the file', async () => {
    const out = join(dataDir, 'vip.csv');
    const filter = JSON.stringify([{ filters: [{ property: 'tags', operator: 'eq', value: 'vip' }] }]);
    const result = await runExportCli(
      ['--object', 'customers', '--format', 'csv', '--out', out, '--filter', filter, '--properties', 'name,tags'],
      { DATA_DIR: dataDir, PORT: String(server.port) },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('100%  2 / 2 rows');
    expect(result.stdout).toMatch(/^export [0-9a-f-]{36}: 2 of 2 rows written\n/);
    expect(result.stdout.trim().split('\n').pop()).toBe(out);
    // Exactly the named columns, oldest first.
    expect(readFileSync(out, 'utf8').split('\r\n')).toEqual([
      'name,tags',
      'Ada Lovelace,"[""vip""]"',
      'Grace Hopper,"[""vip"",""navy""]"',
      '',
    ]);
  }, 90_000);

  it('a request the search grammar refuses ends with its message and exit code 2', async () => {
    const result = await runExportCli(['--object', 'customers', '--format', 'csv', '--filter', '[{"filters":[{"property":"nope"}]}]'], {
      DATA_DIR: dataDir,
      PORT: String(server.port),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('POST /exports answered 400');
    expect(result.stderr).toContain('filter_groups[0].filters[0].property');
  }, 60_000);
});
