import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { IDENTITY_SOURCE, ORDER_SOURCE } from '../../functions/integration/incoming-events.js';
import { ConfigurationError, ENVIRONMENT_NAMES, INCOMING_SOURCES, resolveEnvironment } from '../../infra/config/environments.js';

const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];
/** `npm run synth` (offline, for tests): the committed example values are accepted. */
const offline = (values: Record<string, unknown>) => contextOf({ allowExampleValues: 'true', ...values });
const REAL = {
  account: '444455556666',
  jwtIssuer: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Real',
  jwtAudience: 'app-client-1',
};

describe('per-environment configuration', () => {
  it.each(ENVIRONMENT_NAMES)('resolves %s from the committed values', (name) => {
    const config = resolveEnvironment(offline({ env: name }), {});

    expect(config.name).toBe(name);
    expect(config.account).toMatch(/^\d{12}$/);
    expect(config.availabilityZones.every((zone) => zone.startsWith(config.region))).toBe(true);
    expect(config.auth.issuer).toMatch(/^https:\/\//);
    expect(config.auth.audience.length).toBeGreaterThan(0);
    expect(config.events.relayInterval.toMinutes()).toBeGreaterThanOrEqual(1);
  });

  it.each(ENVIRONMENT_NAMES)('%s: a database that may pause is swept less often than it pauses (or it would never pause)', (name) => {
    const { database, events } = resolveEnvironment(offline({ env: name }), {});

    if (database.minCapacity === 0) expect(events.relayInterval.toMinutes()).toBeGreaterThan(database.autoPauseAfter!.toMinutes());
    expect(events.relayInterval.toMinutes()).toBeGreaterThanOrEqual(1);
  });

  it('lets dev scale the database to zero and keeps prod data', () => {
    const dev = resolveEnvironment(offline({ env: 'dev' }), {});
    const prod = resolveEnvironment(offline({ env: 'prod' }), {});

    expect(dev.database.minCapacity).toBe(0);
    expect(dev.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(prod.database.minCapacity).toBeGreaterThan(0);
    expect(prod.database.deletionProtection).toBe(true);
    expect(prod.removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  it.each(ENVIRONMENT_NAMES)('%s consumes both sources, EventBridge retrying delivery for an hour and Lambda the handler twice', (name) => {
    const { events } = resolveEnvironment(offline({ env: name }), {});

    expect(events.consumers.sources).toEqual(['identity', 'order-management']);
    expect(events.consumers.deliveryMaxEventAge.toSeconds()).toBe(3600);
    expect(events.consumers.deliveryRetryAttempts).toBe(8);
    expect(events.consumers.handlerRetryAttempts).toBe(2);
    expect(INCOMING_SOURCES).toEqual([IDENTITY_SOURCE, ORDER_SOURCE]);
  });

  it.each([
    ['order-management', ['order-management']],
    ['order-management, identity', ['identity', 'order-management']],
    ['none', []],
  ])('subscribes the sources -c eventSources=%s names', (eventSources, expected) => {
    expect(resolveEnvironment(offline({ env: 'prod', eventSources }), {}).events.consumers.sources).toEqual(expected);
  });

  it.each(ENVIRONMENT_NAMES)(
    '%s: a deploy (no allowExampleValues) refuses the committed example values, naming the keys to set',
    (name) => {
      const resolve = () => resolveEnvironment(contextOf({ env: name }), {});

      expect(resolve).toThrow(ConfigurationError);
      expect(resolve).toThrow(/example values.*-c account=.*-c jwtIssuer=.*-c jwtAudience=/s);
    },
  );

  it.each([
    [{ account: undefined }, '-c account='],
    [{ jwtIssuer: undefined }, '-c jwtIssuer='],
    [{ jwtAudience: undefined }, '-c jwtAudience='],
  ])('a half-overridden deploy is refused too (%o left out)', (omitted, key) => {
    const resolve = () => resolveEnvironment(contextOf({ env: 'prod', ...REAL, ...omitted }), {});

    expect(resolve).toThrow(key);
  });

  it('a deploy with real account, issuer and audience resolves (account may come from CDK_DEPLOY_ACCOUNT)', () => {
    const { account, ...rest } = REAL;

    expect(resolveEnvironment(contextOf({ env: 'prod', ...REAL }), {}).auth.audience).toEqual(['app-client-1']);
    expect(resolveEnvironment(contextOf({ env: 'dev', ...rest }), { CDK_DEPLOY_ACCOUNT: account }).account).toBe(account);
  });

  it('fails naming the choices for an unknown environment', () => {
    expect(() => resolveEnvironment(offline({ env: 'qa' }), {})).toThrow(
      'Unknown environment "qa": choose one of dev, staging, prod (-c env=<name>)',
    );
  });

  it('fails when no environment is chosen', () => {
    expect(() => resolveEnvironment(offline({}), {})).toThrow('No environment chosen: pass -c env=<name> (one of dev, staging, prod)');
  });

  it('takes account and region from context first, then from CDK_DEPLOY_ACCOUNT / CDK_DEPLOY_REGION', () => {
    const env = { CDK_DEPLOY_ACCOUNT: '444444444444', CDK_DEPLOY_REGION: 'eu-west-1' };

    const fromEnv = resolveEnvironment(offline({ env: 'dev' }), env);
    const fromContext = resolveEnvironment(offline({ env: 'dev', account: '555555555555', region: 'us-east-1' }), env);

    expect([fromEnv.account, fromEnv.region, fromEnv.availabilityZones]).toEqual([
      '444444444444',
      'eu-west-1',
      ['eu-west-1a', 'eu-west-1b'],
    ]);
    expect([fromContext.account, fromContext.region, fromContext.availabilityZones]).toEqual([
      '555555555555',
      'us-east-1',
      ['us-east-1a', 'us-east-1b'],
    ]);
  });

  it('points at the platform identity provider and event bus by context', () => {
    const config = resolveEnvironment(
      offline({
        env: 'dev',
        jwtIssuer: 'https://login.example.com/realms/crm',
        jwtAudience: 'crm-web, crm-mobile',
        eventBusName: 'platform-events',
        availabilityZones: 'eu-central-1b,eu-central-1c',
        alarmEmail: 'oncall@example.com',
        corsOrigins: 'https://crm.example.org',
      }),
      {},
    );

    expect(config.auth).toEqual({ issuer: 'https://login.example.com/realms/crm', audience: ['crm-web', 'crm-mobile'] });
    expect(config.eventBus).toEqual({ mode: 'import', name: 'platform-events' });
    expect(config.availabilityZones).toEqual(['eu-central-1b', 'eu-central-1c']);
    expect(config.alarms.email).toBe('oncall@example.com');
    expect(config.api.cors.allowOrigins).toEqual(['https://crm.example.org']);
  });

  it.each([
    [{ account: '12345' }, 'account "12345" for dev: an AWS account id is 12 digits'],
    [{ region: 'Frankfurt' }, 'region "Frankfurt" for dev'],
    [{ jwtIssuer: 'http://insecure.example.com' }, 'the JWT issuer must be an https URL'],
    [{ availabilityZones: 'eu-central-1a' }, 'Aurora needs subnets in at least two zones'],
    [{ availabilityZones: 'eu-west-1a,eu-west-1b' }, 'availability zone "eu-west-1a" for dev: it is not in eu-central-1'],
    [{ alarmEmail: 'not-an-address' }, 'alarmEmail "not-an-address"'],
    [
      { eventSources: 'identity,orders' },
      'eventSources "orders" for dev: choose from identity, order-management (comma-separated), or none',
    ],
  ])('rejects the override %o', (override, message) => {
    const resolve = () => resolveEnvironment(offline({ env: 'dev', ...override }), {});

    expect(resolve).toThrow(ConfigurationError);
    expect(resolve).toThrow(message);
  });
});
