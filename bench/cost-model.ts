import { PRICES, PRICES_AS_OF, PRICES_REGION } from './aws-prices.js';
import type { BenchReport, ScenarioResult } from './report.js';

/**
 * A monthly cost and capacity model of the API on AWS, from what the benchmark measured here
 * (handler CPU per request, PostgreSQL CPU per request, Data API calls per request) and the list
 * prices of aws-prices.ts. Everything it cannot measure on this machine is an assumption named in
 * ASSUMPTIONS and printed with the table.
 */

const SECONDS_PER_MONTH = 30.4 * 24 * 3600;
export const RATES = [1, 10, 100, 1_000] as const;

/** The 80/20 mix of the benchmark's mixed scenario: which measured scenario stands for each share. */
const MIX: readonly { readonly share: number; readonly scenario: string; readonly endpoint: string; readonly write: boolean }[] = [
  { share: 0.4, scenario: 'get by id', endpoint: 'GET /customers/{id}', write: false },
  { share: 0.2, scenario: 'get by email', endpoint: 'GET /customers/email/{email}', write: false },
  { share: 0.2, scenario: 'list by tag (page 1)', endpoint: 'GET /customers', write: false },
  { share: 0.1, scenario: 'create', endpoint: 'POST /customers', write: true },
  { share: 0.05, scenario: 'qualify', endpoint: 'PUT /customers/{id}', write: true },
  { share: 0.05, scenario: 'qualify', endpoint: 'POST /customers/{id}/qualify', write: true },
];

export const ASSUMPTIONS = {
  /** Lambda memory of the API functions (infra: 512 MB). */
  lambdaMemoryGb: 0.5,
  /** A 512 MB Lambda gets about 512/1769 of a vCPU; handler CPU measured here is stretched by the inverse. */
  lambdaCpuShare: 512 / 1769,
  /** Round trip of one Data API call seen from Lambda in the same region (not measurable here). */
  dataApiCallMs: 12,
  /** Round trip of one PutEvents from Lambda (immediate delivery of a write's event). */
  putEventsMs: 15,
  /** Lambda's own overhead per invocation (runtime API, Powertools middlewares' I/O). */
  invocationOverheadMs: 2,
  /** Bytes logged per request: API access log line, Lambda platform START/REPORT lines, no app lines at INFO. */
  logBytesPerRequest: 1_400,
  /** Aurora capacity per ACU in vCPU: 1 ACU is 2 GiB with proportional CPU; a 2-vCPU/16-GiB r6g.large is about 8 ACU. */
  vcpuPerAcu: 0.25,
  /** Keep Aurora below this CPU utilisation (headroom for peaks, vacuum, the relay). */
  auroraTargetUtilisation: 0.5,
  /** Aurora's floor (staging/prod minCapacity) and the reader prod keeps in a second zone. */
  minAcu: 0.5,
  readers: 1,
  storageGb: 20,
  /**
   * Lambda's active tracing decides sampling itself when no upstream sent a decision (an HTTP API
   * sends none): the first request each second and 5 % of the rest, per function; Lambda does not
   * let a function change that rate (AWS Lambda developer guide, "Visualize Lambda function
   * invocations using AWS X-Ray"). Reads and writes are two functions, so two reservoirs.
   */
  tracingReservoirPerSecond: 1,
  tracingFixedRate: 0.05,
  /** Account-level Lambda concurrency quota (default, raise by request). */
  lambdaConcurrencyQuota: 1_000,
  /** prod's Aurora maximum (infra/config/environments.ts). */
  prodMaxAcu: 16,
} as const;

export interface CostRow {
  readonly rps: number;
  readonly requestsPerMonth: number;
  readonly dataApiCallsPerRequest: number;
  readonly lambdaMsPerRequest: number;
  readonly lambdaConcurrency: number;
  readonly acu: number;
  readonly monthly: {
    readonly apiGateway: number;
    readonly lambda: number;
    readonly dataApi: number;
    readonly aurora: number;
    readonly eventBridge: number;
    readonly logs: number;
    readonly xray: number;
    readonly total: number;
  };
  readonly limits: string;
}

const pgScenario = (report: Pick<BenchReport, 'scenarios'>, name: string): ScenarioResult | undefined =>
  report.scenarios.find((s) => s.path === 'pg' && s.name === name && s.concurrency === 16) ??
  report.scenarios.find((s) => s.path === 'pg' && s.name === name);

/** Per-request inputs of the mix, from the report: handler CPU µs, PostgreSQL CPU µs, Data API calls. */
export function mixInputs(report: Pick<BenchReport, 'scenarios' | 'data_api_calls'>) {
  let handlerUs = 0;
  let postgresUs = 0;
  let calls = 0;
  let writes = 0;
  for (const part of MIX) {
    const scenario = pgScenario(report, part.scenario);
    const cpu = scenario?.cpu;
    if (!scenario || !cpu || cpu.us_per_request === undefined) throw new Error(`the report has no CPU figures for "${part.scenario}"`);
    handlerUs += part.share * cpu.us_per_request;
    // PostgreSQL's CPU per request: its share of a core over the requests per second.
    postgresUs += (part.share * ((cpu.postgres / 100) * 1e6)) / scenario.rps;
    const measured = report.data_api_calls[part.endpoint];
    if (measured === undefined) throw new Error(`the report has no Data API call count for ${part.endpoint}`);
    calls += part.share * measured;
    if (part.write) writes += part.share;
  }
  return { handlerUs, postgresUs, calls, writes };
}

export function costModel(report: Pick<BenchReport, 'scenarios' | 'data_api_calls'>): CostRow[] {
  const a = ASSUMPTIONS;
  const inputs = mixInputs(report);
  const lambdaMs =
    inputs.handlerUs / 1000 / a.lambdaCpuShare + inputs.calls * a.dataApiCallMs + inputs.writes * a.putEventsMs + a.invocationOverheadMs;
  return RATES.map((rps) => {
    const requests = rps * SECONDS_PER_MONTH;
    const million = requests / 1e6;
    const postgresCores = (rps * inputs.postgresUs) / 1e6;
    const acu = Math.max(a.minAcu, postgresCores / a.vcpuPerAcu / a.auroraTargetUtilisation);
    const concurrency = (rps * lambdaMs) / 1000;
    const apiGateway = million * PRICES.apiGatewayHttpPerMillion;
    const lambda =
      million * PRICES.lambdaRequestsPerMillion + requests * (Math.ceil(lambdaMs) / 1000) * a.lambdaMemoryGb * PRICES.lambdaArmPerGbSecond;
    const dataApi = million * inputs.calls * PRICES.dataApiPerMillion;
    // The writer sized to the load, readers at the floor (they serve no API reads today).
    const aurora =
      (acu + a.readers * a.minAcu) * (SECONDS_PER_MONTH / 3600) * PRICES.auroraAcuHour + a.storageGb * PRICES.auroraStorageGbMonth;
    const eventBridge = million * inputs.writes * PRICES.eventBridgePerMillion;
    const logs = ((requests * a.logBytesPerRequest) / 1024 ** 3) * PRICES.logsIngestPerGb;
    const traces = tracesPerSecond(rps, inputs.writes) * SECONDS_PER_MONTH;
    const xray = (Math.max(0, traces - PRICES.xrayFreeTraces) / 1e6) * PRICES.xrayPerMillionTraces;
    const total = apiGateway + lambda + dataApi + aurora + eventBridge + logs + xray;
    return {
      rps,
      requestsPerMonth: requests,
      dataApiCallsPerRequest: inputs.calls,
      lambdaMsPerRequest: lambdaMs,
      lambdaConcurrency: concurrency,
      acu,
      monthly: { apiGateway, lambda, dataApi, aurora, eventBridge, logs, xray, total },
      limits: limitsAt(rps, concurrency, acu, inputs.calls),
    };
  });
}

/** Traces Lambda records per second: each API function's reservoir, then the fixed rate of its rest. */
export function tracesPerSecond(rps: number, writeShare: number): number {
  const a = ASSUMPTIONS;
  const sampled = (rate: number) =>
    Math.min(rate, a.tracingReservoirPerSecond) + a.tracingFixedRate * Math.max(0, rate - a.tracingReservoirPerSecond);
  return sampled(rps * (1 - writeShare)) + sampled(rps * writeShare);
}

/** What runs out first at this rate, and the configuration change that moves the line. */
function limitsAt(rps: number, concurrency: number, acu: number, calls: number): string {
  const notes: string[] = [];
  if (acu <= ASSUMPTIONS.minAcu) notes.push('Aurora idles at its floor (0.5 ACU)');
  else if (acu <= 4) notes.push(`Aurora ${fmt(acu, 1)} ACU: inside staging's maximum (4)`);
  else if (acu <= ASSUMPTIONS.prodMaxAcu) notes.push(`Aurora ${fmt(acu, 1)} ACU: above staging's maximum 4, inside prod's 16`);
  else notes.push(`Aurora ${fmt(acu, 1)} ACU: above prod's maximum 16 — raise database.maxCapacity (and move list reads to the reader)`);
  if (concurrency > ASSUMPTIONS.lambdaConcurrencyQuota * 0.8)
    notes.push(`Lambda concurrency ${fmt(concurrency, 0)} near the account quota 1,000: request a raise`);
  else notes.push(`Lambda concurrency ≈ ${fmt(concurrency, 0)}`);
  notes.push(`${fmt(rps * calls, 0)} Data API calls/s`);
  if (rps >= 1_000) notes.push('API Gateway default throttle (10,000 req/s per account and region) still far');
  return notes.join('; ');
}

/** The request rates at which each limit is reached, lowest first, with the change that moves it. */
function breakPoints(inputs: ReturnType<typeof mixInputs>, lambdaMs: number): string[] {
  const a = ASSUMPTIONS;
  const perAcu = (a.vcpuPerAcu * a.auroraTargetUtilisation * 1e6) / inputs.postgresUs;
  const limits = [
    { rps: 4 * perAcu, what: "staging's Aurora maximum (4 ACU)", change: 'raise `database.maxCapacity` for staging' },
    {
      rps: a.prodMaxAcu * perAcu,
      what: "prod's Aurora maximum (16 ACU)",
      change: 'raise `database.maxCapacity` (Serverless v2 goes to 256 ACU); serve list reads from the reader',
    },
    { rps: 10_000, what: "API Gateway's default throttle (10,000 req/s per account and region)", change: 'request a quota raise' },
    {
      rps: (a.lambdaConcurrencyQuota * 1000) / lambdaMs,
      what: 'the default Lambda concurrency quota (1,000)',
      change: 'request a raise; reserve concurrency per function',
    },
  ].sort((x, y) => x.rps - y.rps);
  return [
    'Where the limits are, lowest first (at the modelled duration and PostgreSQL CPU per request):',
    '',
    ...limits.map((limit) => `- about **${fmt(limit.rps, 0)} req/s**: ${limit.what} — ${limit.change}.`),
    `- the Data API: ${fmt(inputs.calls, 2)} calls per request; AWS documents no fixed per-second quota for the Data API of Aurora Serverless v2 that this relies on (check Service Quotas). Connections are the Data API's to pool, not the functions'.`,
    "- at 1 req/s the floor dominates: dev's configuration (0 ACU minimum, pausing after 10 idle minutes) removes most of it where a paused first request may take ~15 s.",
  ];
}

const fmt = (value: number, digits = 2) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd = (value: number) => `${value < 10 ? fmt(value, 2) : fmt(value, 0)}`;

/** The model as Markdown: inputs, the table, and the assumptions it rests on. */
export function formatCostModel(report: Pick<BenchReport, 'scenarios' | 'data_api_calls' | 'date'>): string {
  const inputs = mixInputs(report);
  const rows = costModel(report);
  const a = ASSUMPTIONS;
  const lines = [
    `Monthly cost of the API at a steady rate, 80 % reads / 20 % writes (the mixed scenario's mix), from the run of ${report.date} ` +
      `and the ${PRICES_REGION} list prices of bench/aws-prices.ts (as of ${PRICES_AS_OF}; eu-central-1 lists somewhat higher). USD per month.`,
    '',
    `Measured inputs per request of the mix: handler CPU ${fmt(inputs.handlerUs, 0)} µs (server process, this machine), ` +
      `PostgreSQL CPU ${fmt(inputs.postgresUs, 0)} µs, ${fmt(inputs.calls, 2)} Data API calls, ${fmt(inputs.writes * 100, 0)} % writes (one PutEvents each). ` +
      `Modelled Lambda duration ${fmt(rows[0]!.lambdaMsPerRequest, 1)} ms.`,
    '',
    '| req/s | requests/month | API Gateway | Lambda | Data API | Aurora (ACU) | EventBridge | logs | X-Ray | total | first limits and the change at this step |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows
      .map((row) =>
        [
          fmt(row.rps, 0),
          `${fmt(row.requestsPerMonth / 1e6, 1)} M`,
          usd(row.monthly.apiGateway),
          usd(row.monthly.lambda),
          usd(row.monthly.dataApi),
          `${usd(row.monthly.aurora)} (${fmt(row.acu, 1)})`,
          usd(row.monthly.eventBridge),
          usd(row.monthly.logs),
          usd(row.monthly.xray),
          `**${usd(row.monthly.total)}**`,
          row.limits,
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
    '',
    ...breakPoints(inputs, rows[0]!.lambdaMsPerRequest),
    '',
    'Assumptions (bench/cost-model.ts, `ASSUMPTIONS`):',
    '',
    `- Lambda: ${a.lambdaMemoryGb * 1024} MB arm64, which gets about ${fmt(a.lambdaCpuShare * 100, 0)} % of a vCPU, so the handler CPU measured here is stretched by ${fmt(1 / a.lambdaCpuShare, 1)}; ` +
      `each Data API call adds ${a.dataApiCallMs} ms and each write's PutEvents ${a.putEventsMs} ms of waiting (billed duration), plus ${a.invocationOverheadMs} ms per invocation. Concurrency = rate × duration.`,
    `- Aurora: 1 ACU ≈ ${a.vcpuPerAcu} vCPU (2 GiB with proportional CPU); the writer is sized so that PostgreSQL's measured CPU per request uses at most ${a.auroraTargetUtilisation * 100} % of it, ` +
      `never below ${a.minAcu} ACU; prod's reader idles at ${a.minAcu} ACU; ${a.storageGb} GB of storage; I/O not counted (the working set fits in memory at these sizes). The Data API's own work on the cluster side is not in PostgreSQL's CPU and is not modelled.`,
    `- Logs: ${fmt(a.logBytesPerRequest, 0)} bytes per request (API Gateway access log, Lambda platform START and REPORT lines; the handlers log nothing per request at INFO).`,
    `- X-Ray: Lambda's own sampling of active tracing, ${a.tracingReservoirPerSecond} request per second and ${fmt(a.tracingFixedRate * 100, 0)} % of the rest, for each of the two API functions (not configurable on Lambda); the first ${fmt(PRICES.xrayFreeTraces, 0)} traces a month are free.`,
    '- Not included: the idle platform costs of docs/deploying.md (secrets, alarms, dashboard: a few USD), incoming events and their consumers, the relay (idle when immediate delivery succeeds), data transfer.',
  ];
  return lines.join('\n');
}
