import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU goes during a measurement, from /proc (Linux): the named processes
 * (server, Data API endpoint, load generator…), PostgreSQL (the backends of the benchmark's
 * database and the server's background processes), and everything else — other work on the
 * machine, which the figures should be read against. Percent of one core (the machine has
 * `cores` × 100).
 */
export interface CpuShare {
  readonly [process: string]: number | undefined;
  readonly postgres: number;
  readonly other: number;
  readonly machine: number;
  /** CPU time of the `perRequest` process per measured request, microseconds. */
  readonly us_per_request?: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time of the process's main thread so far, microseconds (undefined once it ended). */
export function mainThreadCpuMicros(pid: number): number | undefined {
  const ticks = processTicks(pid, `/proc/${pid}/task/${pid}/stat`);
  return ticks === undefined ? undefined : (ticks * 1e6) / TICKS_PER_SECOND;
}

function processTicks(pid: number, statFile = `/proc/${pid}/stat`): number | undefined {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** PostgreSQL processes that work for the benchmark: its database's backends and the shared background processes. */
function postgresPids(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm !== 'postgres' && !comm.startsWith('postgres')) continue;
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const backend = /^postgres: [^:]+: \S+ (\S+) /.exec(title);
      if (!backend || backend[1] === database) pids.push(Number(entry));
    } catch {
      // the process ended
    }
  }
  return pids;
}

interface Snapshot {
  readonly at: number;
  readonly machine: { busy: number; total: number };
  readonly groups: Map<string, Map<number, number>>;
}

export interface CpuMeter {
  start(): void;
  stop(requests: number): CpuShare | undefined;
}

/** Measures between start() and stop(); answers undefined where /proc is not available. */
export function cpuMeter(options: { processes: Record<string, number | undefined>; perRequest?: string; database: string }): CpuMeter {
  const available = (() => {
    try {
      machineTicks();
      return true;
    } catch {
      return false;
    }
  })();
  const named = Object.entries(options.processes).filter((entry): entry is [string, number] => entry[1] !== undefined);
  const take = (): Snapshot => {
    const sampled = new Map<string, Map<number, number>>();
    for (const [name, pids] of [
      ...named.map(([name, pid]) => [name, [pid]] as const),
      ['postgres', postgresPids(options.database)] as const,
    ]) {
      const ticks = new Map<number, number>();
      for (const pid of pids) {
        const value = processTicks(pid);
        if (value !== undefined) ticks.set(pid, value);
      }
      sampled.set(name, ticks);
    }
    return { at: performance.now(), machine: machineTicks(), groups: sampled };
  };
  let first: Snapshot | undefined;
  return {
    start() {
      first = available ? take() : undefined;
    },
    stop(requests) {
      if (!first) return undefined;
      const last = take();
      const seconds = (last.at - first.at) / 1000;
      const pct = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10;
      const used = (name: string) => {
        let ticks = 0;
        for (const [pid, end] of last.groups.get(name)!) ticks += end - (first!.groups.get(name)!.get(pid) ?? 0);
        return ticks;
      };
      const shares: Record<string, number> = {};
      let ours = 0;
      for (const name of [...named.map(([name]) => name), 'postgres']) {
        const ticks = used(name);
        ours += ticks;
        shares[name] = pct(ticks);
      }
      const machine = last.machine.busy - first.machine.busy;
      const perRequest = options.perRequest ? used(options.perRequest) : 0;
      return {
        ...shares,
        postgres: shares.postgres!,
        other: pct(Math.max(0, machine - ours)),
        machine: pct(machine),
        ...(options.perRequest && requests > 0 && { us_per_request: Math.round(((perRequest / TICKS_PER_SECOND) * 1e6) / requests) }),
      };
    },
  };
}
