import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../functions/config.js';
import { issueDevToken, loadOrCreateDevKeys } from './dev-auth.js';
import { progressBar, waitingBar } from './progress-bar.js';

const USAGE =
  'usage: npm run import -- FILE --object <customers|companies|deals|interactions> --mode <create|update|upsert> ' +
  "[--match-on email] [--dry-run] [--delimiter ';'] [--quote '\"'] [--map 'CSV column=property,…']";
const POLL_MS = 250;

interface ImportState {
  readonly id: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  readonly upload: { readonly url: string } | null;
  readonly counts: {
    readonly rows: number | null;
    readonly processed: number;
    readonly created: number;
    readonly updated: number;
    readonly unchanged: number;
    readonly failed: number;
    readonly duplicates_in_file: number;
  };
  readonly error_report_url: string | null;
  readonly error: string | null;
  readonly started_at: string | null;
  readonly finished_at: string | null;
}

/** `  1,234 rows/s`: the rows worked on per second since the import started (the server's clock, this machine's). */
function rate(job: ImportState): string {
  if (!job.started_at || job.counts.processed === 0) return '';
  const seconds = ((job.finished_at ? Date.parse(job.finished_at) : Date.now()) - Date.parse(job.started_at)) / 1000;
  return seconds > 0 ? `  ${Math.round(job.counts.processed / seconds).toLocaleString('en-GB')} rows/s` : '';
}

/** `--map 'Full name=name,E-mail=email'` as column_mappings. */
function mappings(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const at = pair.lastIndexOf('=');
      if (at <= 0) throw new Error(`--map takes 'CSV column=property' pairs separated by commas, got "${pair}"\n${USAGE}`);
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    }),
  );
}

/**
 * `npm run import`: drives the API of the running local server (`npm start`) — POST /imports,
 * the file PUT to the upload URL it answers (streamed, never through the API routes), then GET
 * /imports/{id} until it ends, drawing a progress bar with rows per second — and prints the
 * counts and where the error report is (also saved next to the file). The token is an admin's,
 * signed with the server's development key. Exit code 0 when done, 1 when done with failed
 * rows, 2 when the import failed or the command was used wrongly.
 */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      object: { type: 'string' },
      mode: { type: 'string', default: 'upsert' },
      'match-on': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      delimiter: { type: 'string' },
      quote: { type: 'string' },
      map: { type: 'string' },
      api: { type: 'string', default: process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8081}/api/v1/customer-mgmt` },
    },
  });
  const [file] = positionals;
  if (!file || !values.object) throw new Error(USAGE);
  const size = (await stat(file)).size;
  const keys = await loadOrCreateDevKeys(loadConfig().dataDir);
  const token = await issueDevToken(keys, { roles: ['admin'], sub: 'import-cli', ttlSeconds: 3600 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = {
    object: values.object,
    mode: values.mode,
    ...(values['match-on'] && { match_on: values['match-on'] }),
    dry_run: values['dry-run'],
    ...(values.map && { column_mappings: mappings(values.map) }),
    ...((values.delimiter || values.quote) && {
      options: { ...(values.delimiter && { delimiter: values.delimiter }), ...(values.quote && { quote: values.quote }) },
    }),
  };
  const started = await fetch(`${values.api}/imports`, { method: 'POST', headers, body: JSON.stringify(body) });
  const answer = (await started.json()) as { data?: ImportState; error?: { message: string } };
  if (started.status !== 202 || !answer.data?.upload)
    throw new Error(`POST /imports answered ${started.status}: ${answer.error?.message ?? ''}`);

  const uploaded = await fetch(answer.data.upload.url, {
    method: 'PUT',
    headers: { 'content-type': 'text/csv', 'content-length': String(size) },
    body: Readable.toWeb(createReadStream(file)),
    duplex: 'half',
  } as RequestInit);
  if (!uploaded.ok) throw new Error(`uploading ${file} answered ${uploaded.status}: ${await uploaded.text()}`);

  const tty = process.stderr.isTTY;
  let job = answer.data;
  let lastLine = '';
  for (;;) {
    const line = job.counts.rows === null ? waitingBar(job.status) : progressBar(job.counts.processed, job.counts.rows, rate(job));
    if (line !== lastLine) process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    lastLine = line;
    if (job.status === 'done' || job.status === 'failed' || job.status === 'cancelled') break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const polled = await fetch(`${values.api}/imports/${job.id}`, { headers });
    job = ((await polled.json()) as { data: ImportState }).data;
  }
  if (tty) process.stderr.write('\n');
  if (job.status !== 'done') throw new Error(`import ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);

  const { rows, created, updated, unchanged, failed, duplicates_in_file } = job.counts;
  process.stdout.write(
    `import ${job.id}${values['dry-run'] ? ' (dry run: nothing written)' : ''}: ${rows} rows, ${created} created, ${updated} updated, ` +
      `${unchanged} unchanged, ${failed} failed (${duplicates_in_file} duplicates in the file)\n`,
  );
  if (!job.error_report_url) return 0;
  const reportFile = `${file.replace(/\.csv$/i, '')}.errors.csv`;
  const report = await fetch(job.error_report_url);
  if (!report.ok || !report.body) throw new Error(`downloading ${job.error_report_url} answered ${report.status}`);
  await pipeline(Readable.fromWeb(report.body as ReadableStream<Uint8Array>), createWriteStream(reportFile));
  process.stdout.write(`error report: ${reportFile}\n(also at ${job.error_report_url}, valid for an hour)\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
