import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A lock on an embedded database's folder, held by this process until released or it exits. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

interface Holder {
  readonly pid: number;
  readonly started_at?: string;
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | null {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return Number.isSafeInteger(holder.pid) && holder.pid! > 0 ? (holder as Holder) : null;
  } catch {
    return null;
  }
}

// A lock file that exists but does not parse is one being written right now, unless it is older than this.
const HALF_WRITTEN_GRACE_MS = 2_000;

/**
 * Takes `file` (created exclusively, holding this process's pid) or fails saying who holds it.
 * PGlite is one process's database: two processes writing one folder lose acknowledged writes.
 * A lock whose process no longer runs (killed, crashed) is stale and taken over. The lock is
 * removed on release and when the process exits, whatever the reason (a SIGKILL leaves it stale).
 */
export function lockDataDir(file: string, what: string): DataDirLock {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, started_at: new Date().toISOString() }));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
      const holder = readHolder(file);
      if (holder === null) {
        let age = Infinity;
        try {
          age = Date.now() - statSync(file).mtimeMs;
        } catch {
          continue;
        }
        if (age < HALF_WRITTEN_GRACE_MS) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
          continue;
        }
      } else if (holder.pid === process.pid || isRunning(holder.pid)) {
        throw new Error(
          `${what} is in use by another customer-mgmt process (pid ${holder.pid}${holder.started_at ? `, started ${holder.started_at}` : ''}). ` +
            'Two processes writing one embedded database lose data, so this one does not start: stop the other, or give this one ' +
            `its own DATA_DIR. If pid ${holder.pid} is not customer-mgmt, delete ${file}.`,
        );
      }
      // Stale: its process is gone.
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first; try again
      }
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readHolder(file)?.pid === process.pid) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', release);
  return { file, release };
}
