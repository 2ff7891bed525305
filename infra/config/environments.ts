import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IDENTITY_SOURCE, ORDER_SOURCE } from '../../functions/integration/incoming-events.js';

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** The `source` of every event this service publishes. */
export const EVENTS_SOURCE = 'customer-mgmt';

/** Create a bus owned by this stack, or publish to the platform's bus (imported by name). */
export type EventBusChoice = { readonly mode: 'create'; readonly name: string } | { readonly mode: 'import'; readonly name: string };

export type FunctionLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The `source`s of other contexts this service can consume (one consumer function each). */
export const INCOMING_SOURCES = [IDENTITY_SOURCE, ORDER_SOURCE] as const;
export type IncomingSource = (typeof INCOMING_SOURCES)[number];

/** How events of other contexts reach this environment: which sources, and how hard to retry them. */
export interface ConsumerConfig {
  /** Subscribed sources: each gets a rule on the bus, a consumer function, two dead-letter queues and alarms. */
  readonly sources: readonly IncomingSource[];
  /** How long EventBridge keeps trying to hand an event to the function (1 minute to 24 hours) before the rule's DLQ. */
  readonly deliveryMaxEventAge: Duration;
  /** EventBridge's delivery attempts after the first (0–185). */
  readonly deliveryRetryAttempts: number;
  /** Lambda's retries of an event whose handler threw (0–2, a minute or two apart) before the function's DLQ. */
  readonly handlerRetryAttempts: number;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly account: string;
  readonly region: string;
  /** Explicit zones, so synthesis never asks AWS (no context lookup, no credentials). */
  readonly availabilityZones: readonly string[];
  readonly auth: {
    /** The identity provider's issuer URL; the authorizer validates `iss` against it. */
    readonly issuer: string;
    /** Accepted `aud` values (Cognito: the app client ids). */
    readonly audience: readonly string[];
  };
  readonly api: {
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    readonly cors: { readonly allowOrigins: readonly string[]; readonly maxAge: Duration };
  };
  readonly database: {
    /** Aurora capacity units; 0 lets the writer pause when idle (first request then waits ~15 s). */
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** Idle time before a min-capacity-0 writer pauses. */
    readonly autoPauseAfter?: Duration;
    /** Serverless v2 readers in other zones; the Data API itself only talks to the writer. */
    readonly readers: number;
    readonly backupRetention: Duration;
    readonly deletionProtection: boolean;
  };
  /** What happens to the database (cluster, instances; the secret too when retained) when the stack deletes it. */
  readonly removalPolicy: RemovalPolicy;
  /** Log groups cannot be snapshotted: DESTROY or RETAIN. */
  readonly logs: { readonly retention: RetentionDays; readonly level: FunctionLogLevel; readonly removalPolicy: RemovalPolicy };
  readonly eventBus: EventBusChoice;
  readonly events: {
    /**
     * How often the outbox relay sweeps on its own (EventBridge rate: whole minutes). The write path
     * wakes the relay whenever it could not deliver an event itself, so this is only the safety net
     * (a lost wake-up); where the database may pause it must be longer than `autoPauseAfter`.
     */
    readonly relayInterval: Duration;
    readonly consumers: ConsumerConfig;
  };
  readonly analytics: {
    /** When the nightly analytics run starts (UTC); it fits the models and rescores every customer. */
    readonly nightlyRunUtc: { readonly hour: number; readonly minute: number };
  };
  readonly alarms: {
    /** Subscribed to the alarm topic when set (confirm the e-mail AWS sends). */
    readonly email?: string;
    readonly apiServerErrorRatePercent: number;
    readonly apiLatencyP99Millis: number;
    /** Alarm when the oldest undelivered event is older than this (wake-ups deliver within seconds). */
    readonly oldestUndeliveredEventSeconds: number;
  };
}

type Defaults = Omit<EnvironmentConfig, 'availabilityZones'> & { readonly availabilityZoneLetters: readonly string[] };

/** Every environment consumes both sources; delivery retries ride out an hour of Lambda trouble. */
const CONSUMERS: ConsumerConfig = {
  sources: INCOMING_SOURCES,
  deliveryMaxEventAge: Duration.hours(1),
  deliveryRetryAttempts: 8,
  handlerRetryAttempts: 2,
};

const EXAMPLE_ISSUER = 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_EXAMPLE';

/**
 * The committed placeholders. A deploy with any of them fails (a wrong account, or an authorizer
 * that answers 401 to every real token); `-c allowExampleValues=true` accepts them for offline
 * synthesis only (`npm run synth`, the template tests).
 */
const EXAMPLE_VALUES = {
  accounts: ['111111111111', '222222222222', '333333333333'],
  issuers: [EXAMPLE_ISSUER],
  audiences: ['customer-mgmt-dev', 'customer-mgmt-staging', 'customer-mgmt'],
} as const;

/** The context flag `npm run synth` sets: synthesis for tests and review, never for a deploy. */
export const ALLOW_EXAMPLE_VALUES_CONTEXT = 'allowExampleValues';

/** The committed values: example account ids and issuer, overridable per deploy (see resolveEnvironment). */
const ENVIRONMENTS: Record<EnvironmentName, Defaults> = {
  dev: {
    name: 'dev',
    account: '111111111111',
    region: 'eu-central-1',
    availabilityZoneLetters: ['a', 'b'],
    auth: { issuer: EXAMPLE_ISSUER, audience: ['customer-mgmt-dev'] },
    api: {
      throttle: { rateLimit: 20, burstLimit: 40 },
      cors: { allowOrigins: ['http://localhost:5173', 'https://dev.crm.example.com'], maxAge: Duration.hours(1) },
    },
    database: {
      minCapacity: 0,
      maxCapacity: 2,
      autoPauseAfter: Duration.minutes(10),
      readers: 0,
      backupRetention: Duration.days(1),
      deletionProtection: false,
    },
    removalPolicy: RemovalPolicy.DESTROY,
    logs: { retention: RetentionDays.ONE_WEEK, level: 'debug', removalPolicy: RemovalPolicy.DESTROY },
    eventBus: { mode: 'create', name: 'customer-mgmt-dev' },
    // Each sweep resumes a paused database for ~11 minutes: 4 a day cost ~USD 1.35 a month (docs/deploying.md).
    events: { relayInterval: Duration.hours(6), consumers: CONSUMERS },
    // One resume of the paused database a night (~11 minutes of capacity, like one relay sweep).
    analytics: { nightlyRunUtc: { hour: 3, minute: 0 } },
    alarms: { apiServerErrorRatePercent: 5, apiLatencyP99Millis: 3000, oldestUndeliveredEventSeconds: 900 },
  },
  staging: {
    name: 'staging',
    account: '222222222222',
    region: 'eu-central-1',
    availabilityZoneLetters: ['a', 'b'],
    auth: { issuer: EXAMPLE_ISSUER, audience: ['customer-mgmt-staging'] },
    api: {
      throttle: { rateLimit: 50, burstLimit: 100 },
      cors: { allowOrigins: ['https://staging.crm.example.com'], maxAge: Duration.hours(1) },
    },
    database: { minCapacity: 0.5, maxCapacity: 4, readers: 0, backupRetention: Duration.days(7), deletionProtection: false },
    removalPolicy: RemovalPolicy.SNAPSHOT,
    logs: { retention: RetentionDays.ONE_MONTH, level: 'info', removalPolicy: RemovalPolicy.DESTROY },
    eventBus: { mode: 'import', name: 'platform-events-staging' },
    events: { relayInterval: Duration.minutes(5), consumers: CONSUMERS },
    analytics: { nightlyRunUtc: { hour: 2, minute: 30 } },
    alarms: { apiServerErrorRatePercent: 2, apiLatencyP99Millis: 1500, oldestUndeliveredEventSeconds: 600 },
  },
  prod: {
    name: 'prod',
    account: '333333333333',
    region: 'eu-central-1',
    availabilityZoneLetters: ['a', 'b', 'c'],
    auth: { issuer: EXAMPLE_ISSUER, audience: ['customer-mgmt'] },
    api: {
      throttle: { rateLimit: 200, burstLimit: 400 },
      cors: { allowOrigins: ['https://crm.example.com'], maxAge: Duration.hours(1) },
    },
    database: { minCapacity: 0.5, maxCapacity: 16, readers: 1, backupRetention: Duration.days(30), deletionProtection: true },
    removalPolicy: RemovalPolicy.RETAIN,
    logs: { retention: RetentionDays.THREE_MONTHS, level: 'info', removalPolicy: RemovalPolicy.RETAIN },
    eventBus: { mode: 'import', name: 'platform-events-prod' },
    events: { relayInterval: Duration.minutes(5), consumers: CONSUMERS },
    // The quietest hour of the European business day the service serves.
    analytics: { nightlyRunUtc: { hour: 2, minute: 0 } },
    alarms: { apiServerErrorRatePercent: 1, apiLatencyP99Millis: 1000, oldestUndeliveredEventSeconds: 300 },
  },
};

/** Per-deploy overrides: CDK context (`-c key=value`) first, then these environment variables. */
export const OVERRIDE_ENVIRONMENT_VARIABLES = { account: 'CDK_DEPLOY_ACCOUNT', region: 'CDK_DEPLOY_REGION' } as const;

export type ContextReader = (key: string) => unknown;

/** A wrong `-c` value or environment variable: the message says what to change. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function text(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigurationError(`Context "${key}" must be a string, got ${JSON.stringify(value)}`);
  return value.trim();
}

function list(value: unknown, key: string): string[] | undefined {
  if (Array.isArray(value)) return value.map((item) => String(item).trim()).filter(Boolean);
  return text(value, key)
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new ConfigurationError(`Invalid ${message}`);
}

export function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(name);
}

/**
 * The configuration of the environment named by `-c env=<name>`, with per-deploy overrides:
 * `-c account=… -c region=…` (or CDK_DEPLOY_ACCOUNT / CDK_DEPLOY_REGION), `-c availabilityZones=a,b`,
 * `-c jwtIssuer=… -c jwtAudience=id1,id2`, `-c eventBusName=…` (imports that bus), `-c alarmEmail=…`,
 * `-c corsOrigins=https://a,https://b`, `-c eventSources=identity,order-management` (or `none`).
 * Refuses the committed example account, issuer and audience unless `-c allowExampleValues=true`.
 * Fails naming the problem, never falls back silently.
 */
export function resolveEnvironment(context: ContextReader, env: Record<string, string | undefined> = process.env): EnvironmentConfig {
  const name = text(context('env'), 'env');
  const choices = ENVIRONMENT_NAMES.join(', ');
  if (name === undefined)
    throw new ConfigurationError(`No environment chosen: pass -c env=<name> (one of ${choices}), e.g. npx cdk synth -c env=dev`);
  if (!isEnvironmentName(name)) throw new ConfigurationError(`Unknown environment "${name}": choose one of ${choices} (-c env=<name>)`);
  const base = ENVIRONMENTS[name];

  const account = text(context('account'), 'account') ?? text(env[OVERRIDE_ENVIRONMENT_VARIABLES.account], 'account') ?? base.account;
  const region = text(context('region'), 'region') ?? text(env[OVERRIDE_ENVIRONMENT_VARIABLES.region], 'region') ?? base.region;
  const availabilityZones =
    list(context('availabilityZones'), 'availabilityZones') ?? base.availabilityZoneLetters.map((letter) => `${region}${letter}`);
  const issuer = text(context('jwtIssuer'), 'jwtIssuer') ?? base.auth.issuer;
  const audience = list(context('jwtAudience'), 'jwtAudience') ?? base.auth.audience;
  const eventBusName = text(context('eventBusName'), 'eventBusName');
  const alarmEmail = text(context('alarmEmail'), 'alarmEmail') ?? base.alarms.email;
  const allowOrigins = list(context('corsOrigins'), 'corsOrigins') ?? base.api.cors.allowOrigins;
  const eventSources = list(context('eventSources'), 'eventSources');

  check(/^\d{12}$/.test(account), `account "${account}" for ${name}: an AWS account id is 12 digits`);
  check(/^[a-z]{2}(-[a-z]+)+-\d$/.test(region), `region "${region}" for ${name}: expected a region code such as eu-central-1`);
  check(availabilityZones.length >= 2, `availabilityZones for ${name}: Aurora needs subnets in at least two zones`);
  for (const zone of availabilityZones) check(zone.startsWith(region), `availability zone "${zone}" for ${name}: it is not in ${region}`);
  check(/^https:\/\/[^\s/]+/.test(issuer), `jwtIssuer "${issuer}" for ${name}: the JWT issuer must be an https URL`);
  check(audience.length > 0, `jwtAudience for ${name}: at least one audience is required`);
  check(alarmEmail === undefined || /^[^@\s]+@[^@\s]+$/.test(alarmEmail), `alarmEmail "${alarmEmail}" for ${name}`);
  const { database } = base;
  check(base.logs.removalPolicy !== RemovalPolicy.SNAPSHOT, `logs.removalPolicy for ${name}: log groups cannot be snapshotted`);
  check(database.minCapacity >= 0 && database.minCapacity <= database.maxCapacity, `Aurora capacity for ${name}: need 0 <= min <= max`);
  check(
    base.events.relayInterval.toSeconds() >= 60 && base.events.relayInterval.toSeconds() % 60 === 0,
    `events.relayInterval for ${name}: an EventBridge rate is whole minutes, at least one`,
  );
  check(
    database.minCapacity > 0 || base.events.relayInterval.toSeconds() > (database.autoPauseAfter?.toSeconds() ?? 0),
    `events.relayInterval for ${name}: sweeping at least as often as autoPauseAfter keeps the database from ever pausing`,
  );

  const { hour, minute } = base.analytics.nightlyRunUtc;
  check(
    Number.isInteger(hour) && hour >= 0 && hour <= 23 && Number.isInteger(minute) && minute >= 0 && minute <= 59,
    `analytics.nightlyRunUtc for ${name}: hour 0-23 and minute 0-59`,
  );

  const consumers = {
    ...base.events.consumers,
    sources: eventSources ? incomingSources(eventSources, name) : base.events.consumers.sources,
  };
  const deliveryAge = consumers.deliveryMaxEventAge.toSeconds();
  check(
    deliveryAge >= 60 && deliveryAge <= 86_400,
    `events.consumers.deliveryMaxEventAge for ${name}: EventBridge allows 1 minute to 24 hours`,
  );
  check(
    Number.isInteger(consumers.deliveryRetryAttempts) && consumers.deliveryRetryAttempts >= 0 && consumers.deliveryRetryAttempts <= 185,
    `events.consumers.deliveryRetryAttempts for ${name}: EventBridge allows 0 to 185`,
  );
  check(
    Number.isInteger(consumers.handlerRetryAttempts) && consumers.handlerRetryAttempts >= 0 && consumers.handlerRetryAttempts <= 2,
    `events.consumers.handlerRetryAttempts for ${name}: Lambda retries an asynchronous invocation 0 to 2 times`,
  );
  // The DeadLetters metric is a warn-level log line: a stricter level would silence its alarm.
  check(
    consumers.sources.length === 0 || base.logs.level !== 'error',
    `logs.level for ${name}: consumers report dead letters in a warn line, so "error" would hide them from the DeadLetters alarm`,
  );

  const allowExamples = String(context(ALLOW_EXAMPLE_VALUES_CONTEXT) ?? '').trim() === 'true';
  if (!allowExamples) {
    const missing = [
      (EXAMPLE_VALUES.accounts as readonly string[]).includes(account) &&
        `-c account=<12-digit account id> (or ${OVERRIDE_ENVIRONMENT_VARIABLES.account})`,
      (EXAMPLE_VALUES.issuers as readonly string[]).includes(issuer) &&
        '-c jwtIssuer=<issuer URL, e.g. https://cognito-idp.<region>.amazonaws.com/<user-pool-id>>',
      audience.some((value) => (EXAMPLE_VALUES.audiences as readonly string[]).includes(value)) &&
        '-c jwtAudience=<app client ids, comma-separated>',
    ].filter((key): key is string => typeof key === 'string');
    if (missing.length > 0) {
      throw new ConfigurationError(
        `${name} still has the committed example values, which cannot be deployed. Set ${missing.join(', ')} ` +
          `(or put real values in infra/config/environments.ts). Offline synthesis for tests: -c ${ALLOW_EXAMPLE_VALUES_CONTEXT}=true (npm run synth).`,
      );
    }
  }

  const { availabilityZoneLetters: _letters, ...rest } = base;
  return Object.freeze({
    ...rest,
    account,
    region,
    availabilityZones,
    auth: { issuer, audience },
    api: { ...base.api, cors: { ...base.api.cors, allowOrigins } },
    eventBus: eventBusName ? ({ mode: 'import', name: eventBusName } as const) : base.eventBus,
    events: { ...base.events, consumers },
    alarms: { ...base.alarms, email: alarmEmail },
  });
}

/** `-c eventSources=identity,order-management`, or `none` to consume nothing. */
function incomingSources(values: readonly string[], name: string): IncomingSource[] {
  if (values.length === 1 && values[0] === 'none') return [];
  for (const value of values) {
    check(
      (INCOMING_SOURCES as readonly string[]).includes(value),
      `eventSources "${value}" for ${name}: choose from ${INCOMING_SOURCES.join(', ')} (comma-separated), or none`,
    );
  }
  return INCOMING_SOURCES.filter((source) => values.includes(source));
}
