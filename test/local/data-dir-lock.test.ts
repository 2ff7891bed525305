import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../functions/db/data-dir-lock.js';
import { spawnLocalServer, type LocalProcess } from '../support/local-process.js';

/** The pid of a process that has exited, as a crashed server's would be. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('one writer per data directory', () => {
  const dirs: string[] = [];
  const processes: LocalProcess[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const server of processes) await server.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('takes the lock, refuses it while held (also within one process), releases it', () => {
    const file = join(newDir(), 'pglite.lock');
    const lock = lockDataDir(file, 'The data directory x');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(() => lockDataDir(file, 'The data directory x')).toThrow(
      `The data directory x is in use by another customer-mgmt process (pid ${process.pid}`,
    );
    lock.release();
    expect(existsSync(file)).toBe(false);
    lockDataDir(file, 'The data directory x').release();
  });

  it('takes over a stale lock left by a process that no longer runs', () => {
    const file = join(newDir(), 'pglite.lock');
    writeFileSync(file, JSON.stringify({ pid: deadPid(), started_at: '2026-01-01T00:00:00.000Z' }));
    const lock = lockDataDir(file, 'x');
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock file that does not parse once it is too old to be one being written', () => {
    const file = join(newDir(), 'pglite.lock');
    writeFileSync(file, 'garbage');
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const lock = lockDataDir(file, 'x');
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a second npm start on the same DATA_DIR refuses to start, the first keeps serving; after a kill -9 the lock is stale and taken over', async () => {
    const dataDir = newDir();
    const first = spawnLocalServer({ DATA_DIR: dataDir });
    processes.push(first);
    await first.listening();

    const second = spawnLocalServer({ DATA_DIR: dataDir });
    processes.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`is in use by another customer-mgmt process (pid ${first.child.pid}`);
    expect(second.output()).toContain('customer-mgmt failed to start');
    expect((await fetch(`${first.url}/health`)).status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(true);
    const third = spawnLocalServer({ DATA_DIR: dataDir });
    processes.push(third);
    await third.listening();
    expect((await fetch(`${third.url}/health`)).status).toBe(200);
    expect(await third.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
  }, 120_000);
});
