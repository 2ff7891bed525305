import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from './settings.js';

/** A free loopback port (the OS picks it; it is released again before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Environment variables of the parent that would change what the children connect to. */
const SCRUBBED = [
  'DATABASE_URL',
  'DB_CLUSTER_ARN',
  'DB_SECRET_ARN',
  'DB_NAME',
  'DATA_API_ENDPOINT',
  'DB_MODE',
  'NODE_OPTIONS',
  'PORT',
  'DATA_DIR',
];

export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  return { ...env, ...extra };
}

/**
 * Node flags that write CPU profiles of the child into `dir/name/` when it exits: one per thread
 * (tsx's loader runs in a worker thread of its own; the main thread's profile is the largest).
 */
export function profileFlags(dir: string | undefined, name: string): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`] : [];
}

/** Keeps the last lines a child printed, to explain a failure. */
function tail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * `npm start` in a child process (`node --import tsx infra/local/main.ts`) with the given
 * environment, resolved once /health answers 200.
 */
export async function startServer(options: {
  env: Record<string, string>;
  profileDir?: string | undefined;
  name: string;
}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...profileFlags(options.profileDir, options.name), '--import', 'tsx', join('infra', 'local', 'main.ts')],
    { cwd: PROJECT_ROOT, env: childEnv({ ...options.env, PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = tail(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${options.name} server exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the ${options.name} server did not become healthy within 60 s:\n${output()}`);
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await waitForExit(child, 15_000);
    },
  };
}

/** The local Data API endpoint in its own process (bench/data-api-endpoint.ts), with its call counters. */
export interface EndpointProcess {
  readonly url: string;
  readonly pid: number;
  resetCallCount(): Promise<void>;
  callCount(): Promise<{ total: number; byOperation: Record<string, number> }>;
  stop(): Promise<void>;
}

type EndpointReply = { id: number; url?: string; total?: number; byOperation?: Record<string, number> };

export async function startDataApiEndpoint(options: {
  databaseUrl: string;
  poolSize: number;
  profileDir?: string | undefined;
}): Promise<EndpointProcess> {
  const child = spawn(
    process.execPath,
    [...profileFlags(options.profileDir, 'data-api-endpoint'), '--import', 'tsx', join('bench', 'data-api-endpoint.ts')],
    {
      cwd: PROJECT_ROOT,
      env: childEnv({ DATABASE_URL: options.databaseUrl, DB_POOL_SIZE: String(options.poolSize) }),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const output = tail(child);
  const pending = new Map<number, (reply: EndpointReply) => void>();
  let nextId = 1;
  // The child announces itself with id 0 once it listens.
  const announced = new Promise<EndpointReply>((resolve) => pending.set(0, resolve));
  child.on('message', (reply: EndpointReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the Data API endpoint exited with ${code}:\n${output()}`))),
  );
  exited.catch(() => undefined);
  const ask = (type: string): Promise<EndpointReply> => {
    const id = nextId++;
    const reply = new Promise<EndpointReply>((resolve) => pending.set(id, resolve));
    child.send({ id, type });
    return Promise.race([reply, exited]);
  };
  const ready = await Promise.race([
    announced,
    exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the Data API endpoint did not start:\n${output()}`)), 30_000)),
  ]);
  return {
    url: ready.url!,
    pid: child.pid!,
    resetCallCount: async () => void (await ask('reset')),
    callCount: async () => {
      const reply = await ask('count');
      return { total: reply.total!, byOperation: reply.byOperation! };
    },
    async stop() {
      child.kill('SIGTERM');
      await waitForExit(child, 15_000);
    },
  };
}
