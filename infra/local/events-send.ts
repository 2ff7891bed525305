import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

/**
 * `npm run events:send -- [file.jsonl] [--url http://localhost:8081]`: delivers EventBridge-shaped
 * events, one JSON object per line (from the file or stdin), to the running local server's
 * consumers, and prints one line per event with its outcome.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { url: { type: 'string' } }, allowPositionals: true });
  const base = values.url ?? `http://localhost:${process.env.PORT ?? 8081}`;
  const input = positionals[0] ? createReadStream(positionals[0]) : process.stdin;
  let failed = 0;
  let lineNumber = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === '') continue;
    let response: Response;
    try {
      response = await fetch(`${base}/_local/eventbridge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: line });
    } catch (error) {
      throw new Error(`cannot reach the local server at ${base} (is npm start running?): ${(error as Error).message}`);
    }
    const body = (await response.json()) as { data?: Record<string, unknown>; error?: { message: string } };
    if (!response.ok || !body.data) {
      failed++;
      process.stdout.write(`line ${lineNumber}: rejected: ${body.error?.message ?? response.status}\n`);
      continue;
    }
    const { outcome, detail_type, event_id, result, reason } = body.data;
    process.stdout.write(
      `line ${lineNumber}: ${String(detail_type ?? '?')} ${String(event_id ?? '')}: ${String(outcome)}${result ? ` (${String(result)})` : ''}${reason ? ` (${String(reason)})` : ''}\n`,
    );
    if (outcome === 'dead_lettered') failed++;
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
