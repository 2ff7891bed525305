import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { HANDLER_LAYER, LAYERS, type RequestCpu } from './request-cpu.js';
import type { BundleResult } from './bundles.js';
import type { CpuShare } from './cpu.js';
import type { RawMeasurement } from './raw-postgres.js';
import type { ScenarioKind } from './scenarios.js';
import { formatCostModel } from './cost-model.js';
import { costBlocks } from './costs.js';
import { PAGES, replaceGeneratedBlock } from './generated-blocks.js';
import { RESULTS_DIR } from './settings.js';

export interface ScenarioResult {
  readonly name: string;
  /** `floor`: the minimal Node HTTP servers of bench/http-floor.ts (reported under `floors`). */
  readonly path: 'pg' | 'data-api' | 'floor';
  readonly concurrency: number;
  readonly rps: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly errors: number;
  readonly ratio_to_raw: number;
  /** Measured requests (the rps numerator). */
  readonly requests: number;
  /** Data API path only: calls the endpoint received per completed request during the run. */
  readonly data_api_calls_per_request?: number;
  /** Where the CPU went during the measured window (percent of one core; the machine has `cores` × 100). */
  readonly cpu?: CpuShare;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memory_gib: number;
  readonly os: string;
  readonly node: string;
  readonly postgres: string;
  /** 1-minute load average when the run started (other work on the machine lowers every figure). */
  readonly load_average_at_start?: number;
}

export interface Target {
  readonly target: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
  /** The customer's reference figures ×10: reported, not a pass/fail target of the issue. */
  readonly informational?: boolean;
}

export interface BenchReport {
  readonly machine: Machine;
  readonly date: string;
  readonly run_seconds: number;
  readonly settings: Record<string, unknown>;
  readonly seed: Record<string, unknown>;
  readonly raw: {
    readonly insert_rps: number;
    readonly select_rps: number;
    readonly pool_size: number;
    readonly concurrency: number;
    readonly by_concurrency: readonly RawMeasurement[];
  };
  /** What plain node:http (and node:http + one pg SELECT) does under the same load. */
  readonly floors: readonly ScenarioResult[];
  readonly scenarios: readonly ScenarioResult[];
  readonly data_api_calls: Readonly<Record<string, number>>;
  readonly bundles: readonly BundleResult[];
  /** Where the server's main thread spends each request of the handler-CPU scenarios (CPU profiles; absent in older runs). */
  readonly request_cpu?: readonly RequestCpu[];
  readonly targets: readonly Target[];
}

export function describeMachine(postgres: string): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
    postgres: `PostgreSQL ${postgres}`,
  };
}

/** What a scenario is compared with: PostgreSQL's own single-row figure at the same concurrency. */
export function rawFigure(raw: readonly RawMeasurement[], kind: ScenarioKind, concurrency: number): number | undefined {
  const find = (operation: 'insert' | 'select') => raw.find((m) => m.operation === operation && m.concurrency === concurrency)?.rps;
  const insert = find('insert');
  const select = find('select');
  if (kind === 'read') return select;
  if (kind === 'write') return insert;
  // 80 % reads, 20 % writes: the rate PostgreSQL sustains for that mix of single-row statements.
  return insert && select ? 1 / (0.8 / select + 0.2 / insert) : undefined;
}

const KB = 1000;

const SHORT_NAMES: Record<string, string> = {
  'GET /customers/{id}': 'get',
  'GET /customers/email/{email}': 'get by email',
  'POST /customers': 'create',
  'PUT /customers/{id}': 'update',
  'DELETE /customers/{id}': 'delete',
  'POST /customers/{id}/qualify': 'qualify',
  'POST /customers/{id}/convert': 'convert',
  'POST /customers/{id}/churn': 'churn',
  'POST /customers/{id}/reactivate': 'reactivate',
};

/** Reads of one record: one Data API call each. */
export const SINGLE_CALL_ENDPOINTS = ['GET /customers/{id}', 'GET /customers/email/{email}'];

/**
 * Single-record writes (issue 17): at most 2 calls with immediate delivery on (the write statement,
 * which also claims its event and checks the sales rep, then the acknowledgement after PutEvents).
 */
export const WRITE_ENDPOINTS = [
  'POST /customers',
  'PUT /customers/{id}',
  'DELETE /customers/{id}',
  'PUT /customers/{id}/assign',
  'PUT /customers/{id}/tier',
  'PUT /customers/{id}/tags',
  'POST /customers/{id}/qualify',
  'POST /customers/{id}/convert',
  'POST /customers/{id}/churn',
  'POST /customers/{id}/reactivate',
];

/** Handler CPU per request (µs of the server process per request at c=16, pg path): issue 17's budgets. */
export const CPU_BUDGETS_US: Readonly<Record<string, number>> = { 'get by id': 110, create: 200, qualify: 180 };
export const BUNDLE_LIMIT_KB = 350;
export const COLD_START_LIMIT = 1.6;
const fmt = (value: number, digits = 1) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;

/**
 * The load generator keeps `concurrency` requests in flight, so by Little's law the mean latency is
 * concurrency ÷ throughput whatever the code does: a p99 target below it is a throughput target.
 */
const littlesLaw = (s: ScenarioResult) =>
  ` (mean ${fmt((s.concurrency / s.rps) * 1000, 1)} ms = ${s.concurrency} in flight ÷ ${fmt(s.rps, 0)} req/s)`;

/** Every figure of the issue against its target. */
export function evaluateTargets(report: Omit<BenchReport, 'targets'>, primaryConcurrency: number): Target[] {
  const targets: Target[] = [];
  const all = report.scenarios.filter((s) => s.path === 'pg');
  // The targets are about load: the concurrency-1 latency runs only feed the reference comparison.
  const pg = all.filter((s) => s.concurrency > 1);
  const find = (name: string, concurrency = primaryConcurrency) => all.find((s) => s.name === name && s.concurrency === concurrency);

  const ratioGoals: Record<string, number> = { create: 0.25, 'get by id': 0.45 };
  for (const s of pg.filter((s) => s.name in ratioGoals)) {
    const raw = s.name === 'create' ? 'raw insert' : 'raw select';
    const goal = ratioGoals[s.name]!;
    targets.push({
      target: `${s.name} ≥ ${pct(goal)} of ${raw} (c=${s.concurrency})`,
      goal: `≥ ${pct(goal)}`,
      measured: `${fmt(s.rps, 0)} req/s = ${pct(s.ratio_to_raw)}`,
      met: s.ratio_to_raw >= goal,
    });
  }
  for (const s of pg.filter((s) => s.concurrency === primaryConcurrency && !s.name.startsWith('list'))) {
    targets.push({
      target: `p99 ${s.name} (c=${s.concurrency})`,
      goal: '≤ 20 ms',
      measured: `${fmt(s.p99_ms, 2)} ms${littlesLaw(s)}`,
      met: s.p99_ms <= 20,
    });
  }
  for (const s of pg.filter((s) => s.name.startsWith('list by tag'))) {
    const limit = s.concurrency <= 16 ? 20 : 40;
    targets.push({
      target: `p99 list by tag on ${fmt(Number(report.seed.customers ?? 0), 0)} customers (c=${s.concurrency})`,
      goal: `≤ ${limit} ms`,
      measured: `${fmt(s.p99_ms, 2)} ms${littlesLaw(s)}`,
      met: s.p99_ms <= limit,
    });
  }
  for (const [name, budget] of Object.entries(CPU_BUDGETS_US)) {
    const s = find(name);
    const us = s?.cpu?.us_per_request;
    if (!s || us === undefined) continue;
    targets.push({
      target: `handler CPU per request, ${name} (server process, c=${s.concurrency})`,
      goal: `≤ ${budget} µs`,
      measured: `${fmt(us, 0)} µs`,
      met: us <= budget,
    });
  }
  // The same budgets against the handler's own share of a CPU profile of the server (bench/request-cpu.ts).
  for (const profiled of report.request_cpu ?? []) {
    const budget = CPU_BUDGETS_US[profiled.scenario];
    if (budget === undefined) continue;
    const handler = profiled.us_per_request[HANDLER_LAYER];
    targets.push({
      target: `handler CPU per request, ${profiled.scenario} (profiled: the handler's share of the server process, c=${profiled.concurrency})`,
      goal: `≤ ${budget} µs`,
      measured: `${fmt(handler, 0)} µs of ${fmt(profiled.total_us_per_request, 0)}`,
      met: handler <= budget,
    });
  }
  const errors = report.scenarios.reduce((sum, s) => sum + s.errors, 0);
  targets.push({ target: 'errors over every scenario', goal: '0', measured: String(errors), met: errors === 0 });

  const calls = Object.entries(report.data_api_calls);
  if (calls.length > 0) {
    const budgets: [string, readonly string[], number][] = [
      ['reads of one record', SINGLE_CALL_ENDPOINTS, 1],
      ['single-record writes, assign included, immediate delivery on', WRITE_ENDPOINTS, 2],
    ];
    for (const [label, endpoints, budget] of budgets) {
      const scoped = calls.filter(([endpoint]) => endpoints.includes(endpoint));
      const over = scoped.filter(([, n]) => n > budget);
      targets.push({
        target: `Data API calls per request: ${label} (${scoped.length} endpoints)`,
        goal: `≤ ${budget}`,
        measured:
          over.length === 0
            ? `max ${Math.max(...scoped.map(([, n]) => n))} on all ${scoped.length}`
            : over.map(([endpoint, n]) => `${SHORT_NAMES[endpoint] ?? endpoint} ${n}`).join(', '),
        met: over.length === 0 && scoped.length === endpoints.length,
      });
    }
  }
  for (const b of report.bundles) {
    targets.push({
      target: `bundle ${b.function}`,
      goal: `≤ ${BUNDLE_LIMIT_KB} KB`,
      measured: `${fmt(b.bytes / KB)} KB`,
      met: b.bytes <= BUNDLE_LIMIT_KB * KB,
    });
  }
  for (const b of report.bundles) {
    const ratio = b.cold_start_ms / b.baseline_ms;
    targets.push({
      target: `cold start ${b.function}`,
      goal: `≤ ${COLD_START_LIMIT}× baseline (${fmt(COLD_START_LIMIT * b.baseline_ms)} ms)`,
      measured: `${fmt(b.cold_start_ms)} ms = ${fmt(ratio, 2)}×`,
      met: ratio <= COLD_START_LIMIT,
    });
  }

  // The customer's reference figures, beaten by an order of magnitude (informational): creates per
  // second at the best concurrency, and per-request latency (one request at a time).
  const creates = pg.filter((s) => s.name === 'create');
  const best = creates.length > 0 ? creates.reduce((a, b) => (b.rps > a.rps ? b : a)) : undefined;
  const byId = find('get by id', 1);
  const list = find('list by tag (page 1)', 1);
  if (best)
    targets.push({
      target: `create rate vs reference 200–500/s ×10 (best, c=${best.concurrency})`,
      goal: '≥ 5,000 req/s',
      measured: `${fmt(best.rps, 0)} req/s`,
      met: best.rps >= 5000,
      informational: true,
    });
  if (byId)
    targets.push({
      target: 'indexed read vs reference 5–10 ms ÷10 (p50, c=1)',
      goal: '≤ 0.5 ms',
      measured: `${fmt(byId.p50_ms, 2)} ms`,
      met: byId.p50_ms <= 0.5,
      informational: true,
    });
  if (list)
    targets.push({
      target: 'list page vs reference 20–50 ms ÷10 (p50, c=1)',
      goal: '≤ 2 ms',
      measured: `${fmt(list.p50_ms, 2)} ms`,
      met: list.p50_ms <= 2,
      informational: true,
    });
  return targets;
}

function table(headers: string[], rows: string[][], align: ('l' | 'r')[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(headers: string[], rows: string[][], align: ('l' | 'r')[]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const SCENARIO_HEADERS = [
  'path',
  'scenario',
  'conc',
  'req/s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'errors',
  'vs raw',
  'app µs/req',
  'CPU % app/pg/client/other',
];
const SCENARIO_ALIGN: ('l' | 'r')[] = ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];

const cpuCell = (cpu: CpuShare | undefined) =>
  cpu
    ? [cpu.server ?? cpu.client ?? 0, cpu.postgres, cpu.load_generator ?? 0, cpu.other].map((v) => Math.round(v)).join('/') +
      (cpu.data_api_endpoint !== undefined ? ` +${Math.round(cpu.data_api_endpoint)} endpoint` : '')
    : '';

function scenarioRows(report: Omit<BenchReport, 'targets'>): string[][] {
  const rows: string[][] = [];
  for (const m of report.raw.by_concurrency) {
    rows.push([
      'raw pg',
      m.operation === 'insert' ? 'INSERT … RETURNING' : 'SELECT by primary key',
      String(m.concurrency),
      fmt(m.rps, 0),
      fmt(m.p50_ms, 2),
      fmt(m.p95_ms, 2),
      fmt(m.p99_ms, 2),
      String(m.errors),
      '100%',
      m.cpu?.us_per_request !== undefined ? String(m.cpu.us_per_request) : '',
      cpuCell(m.cpu),
    ]);
  }
  for (const s of [...report.floors, ...report.scenarios]) {
    rows.push([
      s.path,
      s.name,
      String(s.concurrency),
      fmt(s.rps, 0),
      fmt(s.p50_ms, 2),
      fmt(s.p95_ms, 2),
      fmt(s.p99_ms, 2),
      String(s.errors),
      pct(s.ratio_to_raw),
      s.cpu?.us_per_request !== undefined ? String(s.cpu.us_per_request) : '',
      cpuCell(s.cpu),
    ]);
  }
  return rows;
}

function machineLine(report: Omit<BenchReport, 'targets'>): string {
  const m = report.machine;
  return `${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, ${m.os}, Node ${m.node}, ${m.postgres} — ${report.date}, ${report.seed.customers} customers seeded, run took ${report.run_seconds} s`;
}

/** The results as plain-text tables for stdout. */
export function formatText(report: BenchReport): string {
  const parts = [`Machine: ${machineLine(report)}`, '', table(SCENARIO_HEADERS, scenarioRows(report), SCENARIO_ALIGN)];
  if (Object.keys(report.data_api_calls).length > 0) {
    parts.push(
      '',
      'Data API calls per request:',
      table(
        ['endpoint', 'calls'],
        Object.entries(report.data_api_calls).map(([e, n]) => [e, String(n)]),
        ['l', 'r'],
      ),
    );
  }
  if (report.bundles.length > 0) {
    parts.push(
      '',
      'Lambda bundles (minified ESM as CDK builds them; cold start = fresh node process: boot + import + first invocation, median):',
      table(
        ['function', 'KB', 'cold start ms', 'import ms', 'first call ms', 'vs hello-world', 'first call', 'largest inputs'],
        report.bundles.map((b) => [
          b.function,
          fmt(b.bytes / KB),
          fmt(b.cold_start_ms),
          fmt(b.import_ms),
          fmt(b.first_invocation_ms),
          `${fmt(b.cold_start_ms / b.baseline_ms, 2)}×`,
          b.first_invocation.split(':')[0]!,
          b.largest_inputs
            .slice(0, 4)
            .map((i) => `${i.name} ${fmt(i.bytes / KB, 0)}K`)
            .join(', '),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
      ),
    );
    for (const b of report.bundles.filter((b) => b.first_invocation.startsWith('failed')))
      parts.push(`  ${b.function}: first invocation ${b.first_invocation}`);
  }
  if (report.request_cpu?.length) {
    parts.push('', `${REQUEST_CPU_TITLE}:`, table(...requestCpuTable(report.request_cpu)));
  }
  parts.push('', 'Targets:', table(['', 'target', 'goal', 'measured'], report.targets.map(targetRow), ['l', 'l', 'l', 'l']));
  return parts.join('\n');
}

const REQUEST_CPU_TITLE =
  "Where the server's main thread spends each request, µs (CPU profile of the server alone under the scenario; bench/request-cpu.ts)";

function requestCpuTable(rows: readonly RequestCpu[]): [string[], string[][], ('l' | 'r')[]] {
  return [
    ['scenario', 'conc', 'requests', ...LAYERS, 'total'],
    rows.map((r) => [
      r.scenario,
      String(r.concurrency),
      fmt(r.requests, 0),
      ...LAYERS.map((layer) => fmt(r.us_per_request[layer], 0)),
      fmt(r.total_us_per_request, 0),
    ]),
    ['l', 'r', 'r', ...LAYERS.map(() => 'r' as const), 'r'],
  ];
}

const targetRow = (t: Target) => [t.informational ? (t.met ? 'info ✓' : 'info ✗') : t.met ? 'MET' : 'MISSED', t.target, t.goal, t.measured];

/** The results as Markdown, for docs/benchmarks.md. */
export function formatMarkdown(report: BenchReport): string {
  const parts = [`Measured on: ${machineLine(report)}.`, '', markdownTable(SCENARIO_HEADERS, scenarioRows(report), SCENARIO_ALIGN)];
  if (Object.keys(report.data_api_calls).length > 0) {
    parts.push(
      '',
      markdownTable(
        ['Data API calls per request', 'calls'],
        Object.entries(report.data_api_calls).map(([e, n]) => [`\`${e}\``, String(n)]),
        ['l', 'r'],
      ),
    );
  }
  if (report.bundles.length > 0) {
    parts.push(
      '',
      markdownTable(
        ['function', 'bundle KB', 'cold start ms', 'import ms', 'first call ms', 'hello-world ms', 'ratio'],
        report.bundles.map((b) => [
          b.function,
          fmt(b.bytes / KB),
          fmt(b.cold_start_ms),
          fmt(b.import_ms),
          fmt(b.first_invocation_ms),
          fmt(b.baseline_ms),
          `${fmt(b.cold_start_ms / b.baseline_ms, 2)}×`,
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
  }
  if (report.request_cpu?.length) {
    parts.push('', `${REQUEST_CPU_TITLE}:`, '', markdownTable(...requestCpuTable(report.request_cpu)));
  }
  parts.push('', markdownTable(['', 'target', 'goal', 'measured'], report.targets.map(targetRow), ['l', 'l', 'l', 'l']));
  return parts.join('\n');
}

/** The README's summary: every target as met or missed, and where the full tables are. */
export function formatTargetSummary(report: BenchReport): string {
  return [
    `Measured on: ${machineLine(report)}; the scenarios, floors and bundles are in [docs/benchmarks.md](docs/benchmarks.md).`,
    '',
    markdownTable(['', 'target', 'goal', 'measured'], report.targets.map(targetRow), ['l', 'l', 'l', 'l']),
  ].join('\n');
}

/** Rewrites the generated blocks of the README and the docs from `report`; returns the pages that had them. */
export function publishReport(report: BenchReport): string[] {
  const blocks: [string, string, string][] = [
    [PAGES.benchmarks, 'results', formatMarkdown(report)],
    [PAGES.readme, 'targets', formatTargetSummary(report)],
    ...costBlocks(report),
  ];
  const pages = blocks.filter(([page, name, content]) => replaceGeneratedBlock(page, name, content)).map(([page]) => page);
  return [...new Set(pages)];
}

/**
 * Writes `bench/results/latest.json`, `bench/results/<date>.json`, `bench/results/latest.md` and
 * the generated blocks of the README, docs/benchmarks.md and docs/costs.md. Returns the paths written.
 */
export function writeReport(report: BenchReport): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const dated = join(RESULTS_DIR, `${report.date.slice(0, 10)}.json`);
  const written = [join(RESULTS_DIR, 'latest.json'), dated, join(RESULTS_DIR, 'latest.md')];
  writeFileSync(written[0]!, json);
  writeFileSync(dated, json);
  writeFileSync(written[2]!, `${formatMarkdown(report)}\n\n## Cost and capacity model\n\n${formatCostModel(report)}\n`);
  return [...written, ...publishReport(report)];
}
