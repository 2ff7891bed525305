/**
 * Where the server's main thread spends its time per request, from a V8 CPU profile taken while
 * it served one scenario: issue 17's handler-CPU targets are "profiled, server process only", and
 * the process's CPU per request (the run's `app µs/req`) also holds the HTTP server, the pg driver,
 * the kernel's socket writes and the local stand-ins for API Gateway and EventBridge, none of
 * which is the handler that runs on Lambda.
 *
 * Each sample goes to one layer, by its innermost frame of our code or of a package (a native or
 * Node function such as JSON.stringify or an HMAC counts for the code that called it), except the
 * socket writes, which are named by their native leaf. Module loading at start-up is left out: the time is divided by the
 * requests the server answered while profiled. A sample is wall-clock time on the main thread (a
 * thread preempted inside a write shows as time in that write) and the profiler costs CPU itself,
 * so the profile gives the proportions and a CPU measurement the total (see requestCpuBreakdown);
 * the handler's share is the part Lambda would run.
 */
import { readFileSync } from 'node:fs';

export const LAYERS = [
  'handler (runs on Lambda)',
  'pg driver',
  'node: HTTP, sockets, streams',
  'socket writes (kernel)',
  'local stand-ins (API Gateway event, JWT, event bus)',
  'garbage collector',
  'other',
] as const;
export type Layer = (typeof LAYERS)[number];
export const HANDLER_LAYER: Layer = 'handler (runs on Lambda)';

/** Per request, µs of main-thread CPU by layer. */
export interface RequestCpu {
  readonly scenario: string;
  readonly concurrency: number;
  readonly requests: number;
  /** The CPU time split over the profile's counted time: what the sampled wall time was scaled by (1 when none was given). */
  readonly cpu_share_of_profile: number;
  readonly us_per_request: Readonly<Record<Layer, number>>;
  readonly total_us_per_request: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Native leaves that are the write syscalls of a socket (HTTP responses and pg messages alike). */
const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString']);

const HANDLER_PACKAGES =
  /node_modules\/(kysely|kysely-data-api|zod|@middy|@aws-lambda-powertools|uuidv7|@aws-sdk|@smithy|@aws-crypto|csv-parse|csv-stringify)\//;
const PG_PACKAGES =
  /node_modules\/(pg|pg-protocol|pg-pool|pg-types|pg-cloudflare|pgpass|postgres-array|postgres-bytea|postgres-date|postgres-interval)\//;

function layerOfScript(url: string): Layer {
  if (/\/(functions|domain)\//.test(url) && !url.includes('node_modules')) return 'handler (runs on Lambda)';
  if (HANDLER_PACKAGES.test(url)) return 'handler (runs on Lambda)';
  if (PG_PACKAGES.test(url)) return 'pg driver';
  if ((/\/infra\/local\//.test(url) && !url.includes('node_modules')) || url.includes('node_modules/jose/')) {
    return 'local stand-ins (API Gateway event, JWT, event bus)';
  }
  return 'other';
}

/**
 * `cpuUs`, when given, is the CPU time to split in the profile's proportions: the same requests'
 * CPU measured without the profiler (which costs CPU itself), or the main thread's CPU while
 * profiled (from /proc). Either way the split leaves out the time the thread spent preempted, which
 * a wall-clock sample counts (on a machine whose cores are shared with PostgreSQL and the load
 * generator, that is much of it).
 */
export function requestCpuBreakdown(file: string, scenario: string, concurrency: number, requests: number, cpuUs?: number): RequestCpu {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  /** The sample's layer, or undefined for idle time and start-up module loading. */
  const layerCache = new Map<number, Layer | undefined>();
  const layerOf = (leafId: number): Layer | undefined => {
    if (layerCache.has(leafId)) return layerCache.get(leafId);
    const leaf = byId.get(leafId)!.callFrame;
    let layer: Layer | undefined;
    if (leaf.functionName === '(idle)') layer = undefined;
    else if (leaf.functionName === '(garbage collector)') layer = 'garbage collector';
    else if (SOCKET_WRITES.has(leaf.functionName) && !leaf.url) layer = 'socket writes (kernel)';
    else {
      // The innermost frame of our code or a package: Node's own functions (crypto, timers,
      // buffers, streams) count for whoever called them; a stack of Node frames alone is Node's
      // HTTP parser, socket reads or timers.
      let caller: string | undefined;
      let loading = false;
      for (let id: number | undefined = leafId; id !== undefined; id = parentOf.get(id)) {
        const url = byId.get(id)!.callFrame.url;
        if (url.startsWith('node:internal/modules/')) loading = true;
        if (caller === undefined && url && !url.startsWith('node:')) caller = url;
      }
      layer = loading ? undefined : caller ? layerOfScript(caller) : 'node: HTTP, sockets, streams';
    }
    layerCache.set(leafId, layer);
    return layer;
  };

  const totals = Object.fromEntries(LAYERS.map((layer) => [layer, 0])) as Record<Layer, number>;
  for (let i = 0; i < profile.samples.length; i++) {
    const layer = layerOf(profile.samples[i]!);
    if (layer) totals[layer] += profile.timeDeltas[i + 1] ?? 0;
  }
  const counted = LAYERS.reduce((sum, layer) => sum + totals[layer], 0);
  const scale = cpuUs !== undefined && counted > 0 ? cpuUs / counted : 1;
  const perRequest = Object.fromEntries(LAYERS.map((layer) => [layer, Math.round((totals[layer] * scale) / requests)])) as Record<
    Layer,
    number
  >;
  return {
    scenario,
    concurrency,
    requests,
    cpu_share_of_profile: Math.round(scale * 100) / 100,
    us_per_request: perRequest,
    total_us_per_request: LAYERS.reduce((sum, layer) => sum + perRequest[layer], 0),
  };
}
