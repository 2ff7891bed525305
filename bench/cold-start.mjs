// One cold start, in a fresh Node process started by bench/bundles.ts: import the bundle as the
// Lambda runtime would, serve one invocation, report the times over IPC and exit.
// Plain JavaScript on purpose: no TypeScript loader may add to the import time it measures.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, invocationFile] = process.argv.slice(2);
const invocation = JSON.parse(readFileSync(invocationFile, 'utf8'));
const context = {
  awsRequestId: invocation.requestId,
  functionName: invocation.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${invocation.functionName}`,
  memoryLimitInMB: '512',
  logGroupName: `/aws/lambda/${invocation.functionName}`,
  logStreamName: 'cold-start',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 10_000,
  done() {},
  fail() {},
  succeed() {},
};

// performance.now() counts from the start of this process, so `started` is Node's own boot time.
const started = performance.now();
let imported = started;
let outcome;
try {
  const module = await import(pathToFileURL(bundle).href);
  imported = performance.now();
  const result = await module.handler(invocation.event, context);
  outcome = { ok: true, status: result?.statusCode ?? null };
} catch (error) {
  if (imported === started) imported = performance.now();
  outcome = { ok: false, error: String(error?.stack ?? error) };
}
const served = performance.now();
process.send(
  { ...outcome, boot_ms: started, import_ms: imported - started, first_invocation_ms: served - imported, cold_start_ms: served },
  () => process.exit(0),
);
