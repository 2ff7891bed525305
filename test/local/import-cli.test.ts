import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDevToken, loadOrCreateDevKeys } from '../../infra/local/dev-auth.js';
import { runLocalCli, spawnLocalServer, type LocalProcess } from '../support/local-process.js';

const runImportCli = (args: string[], env: Record<string, string>) => runLocalCli('import-cli.ts', args, env);

/** The real local server and the real command: the file is PUT to the server's upload route, imported, followed, reported. */
describe('npm run import against npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-import-'));
  let server: LocalProcess;
  let api: string;
  let headers: Record<string, string>;
  beforeAll(async () => {
    server = spawnLocalServer({ DATA_DIR: dataDir });
    for (let waited = 0; !server.output().includes('customer-mgmt API listening'); waited += 100) {
      if (waited > 60_000 || !server.alive()) throw new Error(`the local server did not start:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    api = `${server.url}/api/v1/customer-mgmt`;
    const token = await issueDevToken(await loadOrCreateDevKeys(dataDir), { roles: ['admin'], sub: 'test', ttlSeconds: 600 });
    headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  }, 90_000);
  afterAll(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uploads the file, shows the progress to 100 % with rows/s, prints the counts and saves the error report', async () => {
    const file = join(dataDir, 'people.csv');
    writeFileSync(file, 'name,email\nAda Lovelace,ada@cli-import.example\nNobody,not-an-email\nAlan Turing,alan@cli-import.example\n');
    const result = await runImportCli([file, '--object', 'customers', '--mode', 'upsert', '--match-on', 'email'], {
      DATA_DIR: dataDir,
      PORT: String(server.port),
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/100%  3 \/ 3 rows {2}[\d,]+ rows\/s/);
    expect(result.stdout).toMatch(
      /^import [0-9a-f-]{36}: 3 rows, 2 created, 0 updated, 0 unchanged, 1 failed \(0 duplicates in the file\)\n/,
    );
    expect(result.stdout).toContain(`error report: ${join(dataDir, 'people.errors.csv')}`);
    const report = readFileSync(join(dataDir, 'people.errors.csv'), 'utf8').split('\r\n');
    expect(report[0]).toBe('name,email,import_row,import_error_column,import_error_code,import_error_message');
    expect(report[1]).toMatch(/^Nobody,not-an-email,2,email,VALIDATION_FAILED,/);

    const again = await runImportCli([file, '--object', 'customers', '--mode', 'upsert', '--dry-run'], {
      DATA_DIR: dataDir,
      PORT: String(server.port),
    });
    expect(again.stdout).toMatch(/\(dry run: nothing written\): 3 rows, 0 created, 0 updated, 2 unchanged, 1 failed/);
  }, 90_000);

  it('the upload route takes a file once, only with a valid signature', async () => {
    const started = await fetch(`${api}/imports`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ object: 'companies', mode: 'create' }),
    });
    const { data } = (await started.json()) as { data: { id: string; upload: { url: string } } };
    const forged = new URL(data.upload.url);
    forged.searchParams.set('signature', 'A'.repeat(43));
    expect((await fetch(forged, { method: 'PUT', body: 'name\nX\n' })).status).toBe(403);
    const first = await fetch(data.upload.url, { method: 'PUT', body: 'name\nUpload Ltd\n' });
    expect(first.status).toBe(200);
    expect((await fetch(data.upload.url, { method: 'PUT', body: 'name\nSwapped Ltd\n' })).status).toBe(403);
    for (let waited = 0; ; waited += 100) {
      const read = (await (await fetch(`${api}/imports/${data.id}`, { headers })).json()) as {
        data: { status: string; counts: { created: number } };
      };
      if (read.data.status === 'done') {
        expect(read.data.counts.created).toBe(1);
        break;
      }
      if (waited > 20_000) throw new Error(`import ${data.id} is still ${read.data.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);

  it('a request the API refuses ends with its message and exit code 2', async () => {
    const file = join(dataDir, 'x.csv');
    writeFileSync(file, 'name\nX\n');
    const result = await runImportCli([file, '--object', 'customers', '--mode', 'create', '--match-on', 'email'], {
      DATA_DIR: dataDir,
      PORT: String(server.port),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('POST /imports answered 400');
  }, 60_000);
});
