import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../functions/config.js';
import { issueDevToken, loadOrCreateDevKeys } from './dev-auth.js';
import { progressBar, waitingBar } from './progress-bar.js';

const USAGE =
  'usage: npm run export -- --object <customers|companies|deals|interactions> --format <csv|jsonl> ' +
  '[--out FILE] [--filter \'[{"filters":[…]}]\'] [--query TEXT] [--properties name,email,…]';
const POLL_MS = 250;

interface ExportState {
  readonly id: string;
  readonly state: 'queued' | 'running' | 'succeeded' | 'failed';
  readonly expected_rows: number | null;
  readonly rows_written: number;
  readonly download_url: string | null;
  readonly error: string | null;
}

function progressLine(job: Pick<ExportState, 'state' | 'expected_rows' | 'rows_written'>): string {
  return job.expected_rows === null ? waitingBar(job.state) : progressBar(job.rows_written, job.expected_rows);
}

/**
 * `npm run export`: drives the API of the running local server (`npm start`) — POST /exports,
 * then GET /exports/{id} until it is done, drawing a progress bar — and saves the file from the
 * export's download URL. The token is an admin's, signed with the server's development key.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      object: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
      filter: { type: 'string' },
      query: { type: 'string' },
      properties: { type: 'string' },
      api: { type: 'string', default: process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8081}/api/v1/customer-mgmt` },
    },
  });
  if (!values.object) throw new Error(USAGE);
  let filterGroups: unknown;
  if (values.filter) {
    try {
      filterGroups = JSON.parse(values.filter);
    } catch {
      throw new Error(`--filter must be JSON: the filter_groups array of a search\n${USAGE}`);
    }
  }
  const keys = await loadOrCreateDevKeys(loadConfig().dataDir);
  const token = await issueDevToken(keys, { roles: ['admin'], sub: 'export-cli', ttlSeconds: 3600 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = {
    object: values.object,
    format: values.format,
    ...(filterGroups !== undefined && { filter_groups: filterGroups }),
    ...(values.query && { query: values.query }),
    ...(values.properties && { properties: values.properties.split(',').map((name) => name.trim()) }),
  };
  const started = await fetch(`${values.api}/exports`, { method: 'POST', headers, body: JSON.stringify(body) });
  const answer = (await started.json()) as { data?: ExportState; error?: { message: string } };
  if (started.status !== 202 || !answer.data) throw new Error(`POST /exports answered ${started.status}: ${answer.error?.message ?? ''}`);

  const tty = process.stderr.isTTY;
  let job = answer.data;
  let lastLine = '';
  for (;;) {
    const line = progressLine(job);
    if (line !== lastLine) process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    lastLine = line;
    if (job.state === 'succeeded' || job.state === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const polled = await fetch(`${values.api}/exports/${job.id}`, { headers });
    job = ((await polled.json()) as { data: ExportState }).data;
  }
  if (tty) process.stderr.write('\n');
  if (job.state === 'failed') throw new Error(`export ${job.id} failed: ${job.error}`);

  const out = values.out ?? `${values.object}-${job.id}.${values.format}`;
  const file = await fetch(job.download_url!);
  if (!file.ok || !file.body) throw new Error(`downloading ${job.download_url} answered ${file.status}`);
  await pipeline(Readable.fromWeb(file.body as ReadableStream<Uint8Array>), createWriteStream(out));
  process.stdout.write(`export ${job.id}: ${job.rows_written} of ${job.expected_rows} rows written\n${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
