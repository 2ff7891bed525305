import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';

/** `npm start` as a child process: the real local server, its output and its exit. */
export interface LocalProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once it exits (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Whether it is still running. */
  alive(): boolean;
  /** Waits until it logs that it listens. */
  listening(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL if it lingers; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export const randomPort = () => 20000 + Math.floor(Math.random() * 20000);

/** Starts `infra/local/main.ts` with the given environment on a free-ish port. */
export function spawnLocalServer(env: Record<string, string>, port = randomPort()): LocalProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    env: { ...process.env, DATABASE_URL: '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    alive: () => exitCode === undefined,
    async listening(timeoutMs = 60_000) {
      await expect.poll(() => output, { timeout: timeoutMs, interval: 100 }).toContain('customer-mgmt API listening');
    },
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs one of the local command-line tools (`infra/local/<script>`) as its npm script does; resolves with the exit code and what it printed. */
export function runLocalCli(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `infra/local/${script}`, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
