import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { routeKey } from '../functions/http/route.js';
import { routes } from '../functions/routes.js';
import { buildHttpApiEvent } from '../infra/local/http-api-event.js';
import { LOCAL_CLUSTER } from '../infra/local/local-data-api.js';
import { BUNDLE_ALIASES, EXTERNAL_MODULES, ESM_REQUIRE_BANNER, FUNCTION_RUNTIME } from '../infra/constructs/service-functions.js';
import { startFakeEventBridge } from './fake-eventbridge.js';
import { childEnv } from './processes.js';
import { salesRepId } from './seed.js';
import { BENCH_DIR, PROJECT_ROOT } from './settings.js';
import { median, round1 } from './stats.js';

export interface BundleResult {
  readonly function: string;
  readonly bytes: number;
  /** Median of the runs: Node's boot + importing the bundle + serving the first invocation. */
  readonly cold_start_ms: number;
  /** The same for the hello-world bundle. */
  readonly baseline_ms: number;
  readonly import_ms: number;
  readonly first_invocation_ms: number;
  readonly runs: number;
  /** `ok`, or why the first invocation did not succeed (its timing is then of a failed start). */
  readonly first_invocation: string;
  /** Where the bytes come from (package or `project`), largest first. */
  readonly largest_inputs: readonly { readonly name: string; readonly bytes: number }[];
}

interface FunctionEntry {
  readonly name: string;
  readonly entry: string;
  /** Whether bench knows this function's trigger (its first invocation must then succeed). */
  readonly known: boolean;
  /** The first invocation to serve, as the function would receive it. */
  readonly invocation: () => { event: unknown; functionName: string };
}

const HELLO = 'hello-world';
const ADMIN_CLAIMS = { sub: '019b6ec4-0000-7000-8000-00000000ad31', roles: '[admin]' };

/** An API Gateway HTTP API event for one of our routes, as AWS would deliver it. */
function apiEvent(key: string, path: string, pathParameters: Record<string, string>, body?: unknown) {
  const route = routes.find((candidate) => routeKey(candidate) === key);
  if (!route) throw new Error(`no route ${key}`);
  return buildHttpApiEvent({
    method: route.method,
    path,
    rawQueryString: '',
    headers: { host: 'api.local', ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    routeKey: routeKey(route),
    pathParameters,
    requestId: randomUUID(),
    claims: ADMIN_CLAIMS,
  });
}

const scheduledEvent = () => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: new Date().toISOString(),
  region: LOCAL_CLUSTER.region,
  resources: ['arn:aws:events:local:000000000000:rule/bench'],
  detail: {},
});

const eventBridgeEvent = (source: string, detailType: string, detail: unknown) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: new Date().toISOString(),
  region: LOCAL_CLUSTER.region,
  resources: [],
  detail,
});

/**
 * The first invocation of each function, as its trigger would deliver it. A function not listed
 * here is still bundled and started, with an empty event (its result is then not checked).
 */
function invocationsFor(sampleCustomerId: string): Record<string, () => unknown> {
  return {
    'api-read': () =>
      apiEvent('GET /api/v1/customer-mgmt/customers/{id}', `/api/v1/customer-mgmt/customers/${sampleCustomerId}`, { id: sampleCustomerId }),
    'api-write': () =>
      apiEvent(
        'POST /api/v1/customer-mgmt/customers',
        '/api/v1/customer-mgmt/customers',
        {},
        { name: 'Cold Start', email: `cold.${randomUUID()}@example.com` },
      ),
    migrate: () => ({}),
    'outbox-relay': scheduledEvent,
    'identity-events': () =>
      eventBridgeEvent('identity', 'UserRoleGranted', {
        user_id: salesRepId(900 + Math.floor(Math.random() * 99)),
        role: 'sales_rep',
        name: 'Cold Start Rep',
        email: 'cold.rep@example.com',
      }),
    'order-events': () =>
      eventBridgeEvent('order-management', 'OrderPlaced', {
        order_id: randomUUID(),
        customer_id: sampleCustomerId,
        total_minor: 4999,
        currency: 'EUR',
        placed_at: new Date().toISOString(),
      }),
  };
}

/** Every Lambda entry point (`functions/<name>/handler.ts`), the functions CDK deploys. */
function functionEntries(sampleCustomerId: string): FunctionEntry[] {
  const invocations = invocationsFor(sampleCustomerId);
  const functionsDir = join(PROJECT_ROOT, 'functions');
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter((dir) => dir.isDirectory() && existsSync(join(functionsDir, dir.name, 'handler.ts')))
    .map((dir) => dir.name)
    .sort()
    .map((name) => ({
      name,
      entry: `functions/${name}/handler.ts`,
      known: name in invocations,
      invocation: () => ({ functionName: name, event: (invocations[name] ?? (() => ({})))() }),
    }));
}

/** `nodejs24.x` → `node24`: the esbuild target CDK bundles for. */
const esbuildTarget = () => FUNCTION_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

/** Bundles one entry as CDK's NodejsFunction does (ESM, minified, same banner, externals, aliases, main fields, target). */
async function bundle(entry: string, outDir: string): Promise<{ file: string; metafile: Metafile }> {
  const file = join(outDir, 'index.mjs');
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: esbuildTarget(),
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: [...EXTERNAL_MODULES],
    alias: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [from, join(PROJECT_ROOT, to)])),
    outfile: file,
    metafile: true,
    logLevel: 'warning',
  });
  return { file, metafile: result.metafile };
}

function largestInputs(metafile: Metafile): { name: string; bytes: number }[] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match ? match[1]! : 'project';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
}

interface ColdStartRun {
  ok: boolean;
  status?: number | null;
  error?: string;
  boot_ms: number;
  import_ms: number;
  first_invocation_ms: number;
  cold_start_ms: number;
}

/** One fresh `node` process (no loader, no NODE_OPTIONS) that imports the bundle and serves one invocation. */
function coldStart(file: string, invocationFile: string, env: Record<string, string>): Promise<ColdStartRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(BENCH_DIR, 'cold-start.mjs'), file, invocationFile], {
      cwd: PROJECT_ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result: ColdStartRun | undefined;
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('message', (message: ColdStartRun) => (result = message));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!result) return reject(new Error(`cold start of ${file} exited with ${code} and no result:\n${stderr}`));
      resolve(result);
    });
  });
}

/**
 * Bundles every function (and the hello-world baseline) like CDK and measures each one's cold
 * start against the local Data API endpoint at `dataApiEndpoint`: `runs` fresh processes each,
 * taken round-robin, median reported.
 */
export async function measureBundles(options: {
  outDir: string;
  dataApiEndpoint: string;
  sampleCustomerId: string;
  runs: number;
}): Promise<BundleResult[]> {
  const eventBridge = await startFakeEventBridge();
  // What CDK and Lambda put in the functions' environment, pointed at the local stand-ins.
  const env = {
    DB_CLUSTER_ARN: LOCAL_CLUSTER.clusterArn,
    DB_SECRET_ARN: LOCAL_CLUSTER.secretArn,
    DB_NAME: LOCAL_CLUSTER.database,
    AWS_REGION: LOCAL_CLUSTER.region,
    DATA_API_ENDPOINT: options.dataApiEndpoint,
    EVENT_BUS_NAME: 'customer-mgmt-bench',
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    LOG_LEVEL: 'info',
    // The functions run on FUNCTION_RUNTIME (Node 24); on an older Node here the AWS SDK prints a
    // "NodeVersionSupportWarning" during the first call (console.warn loads Node's colour support:
    // ~10 ms of a measured first call) that Lambda never prints. Not measuring what AWS does not run.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  try {
    const entries: FunctionEntry[] = [
      ...functionEntries(options.sampleCustomerId),
      {
        name: HELLO,
        entry: relative(PROJECT_ROOT, join(BENCH_DIR, 'lambda/hello-world.ts')),
        known: true,
        invocation: () => ({ functionName: HELLO, event: {} }),
      },
    ];
    const built = [];
    for (const entry of entries) {
      const outDir = join(options.outDir, entry.name);
      mkdirSync(outDir, { recursive: true });
      built.push({ ...entry, outDir, ...(await bundle(entry.entry, outDir)) });
    }

    const runs = new Map<string, ColdStartRun[]>(built.map((b) => [b.name, []]));
    const failures = new Map<string, string>();
    for (let round = 0; round < options.runs; round++) {
      for (const item of built) {
        const invocationFile = join(item.outDir, `invocation-${round}.json`);
        writeFileSync(invocationFile, JSON.stringify({ requestId: randomUUID(), ...item.invocation() }));
        const run = await coldStart(item.file, invocationFile, env);
        const failed = !run.ok
          ? run.error
          : run.status != null && (run.status < 200 || run.status >= 300)
            ? `answered ${run.status}`
            : undefined;
        if (failed && item.known && !failures.has(item.name)) failures.set(item.name, failed.slice(0, 500));
        runs.get(item.name)!.push(run);
      }
    }

    const medianOf = (name: string, pick: (run: ColdStartRun) => number) => round1(median(runs.get(name)!.map(pick)));
    const baseline = medianOf(HELLO, (run) => run.cold_start_ms);
    return built
      .filter((item) => item.name !== HELLO)
      .map((item) => ({
        function: item.name,
        bytes: statSync(item.file).size,
        cold_start_ms: medianOf(item.name, (run) => run.cold_start_ms),
        baseline_ms: baseline,
        import_ms: medianOf(item.name, (run) => run.import_ms),
        first_invocation_ms: medianOf(item.name, (run) => run.first_invocation_ms),
        runs: options.runs,
        first_invocation: failures.get(item.name)
          ? `failed: ${failures.get(item.name)}`
          : item.known
            ? 'ok'
            : 'not checked (unknown trigger, empty event)',
        largest_inputs: largestInputs(item.metafile),
      }));
  } finally {
    await eventBridge.close();
  }
}
