import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../infra/config/environments.js';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/service-functions.js';
import { PROJECT_ROOT } from '../../infra/stacks/service-app.js';
import { logicalId, removeSynthOutputs, resources, synthService } from './service-app-fixture.js';

afterAll(removeSynthOutputs);

describe('synthesis without AWS credentials or Docker', () => {
  it.each(ENVIRONMENT_NAMES)('synthesises %s', (environment) => {
    const { stack, template } = synthService(environment);

    expect(stack.stackName).toBe(`CustomerMgmt-${environment}`);
    expect([stack.account, stack.region]).toEqual([stack.config.account, stack.config.region]);
    expect(Object.keys(resources(template, 'AWS::Lambda::Function')).length).toBeGreaterThanOrEqual(3);
  });

  it('refuses the committed example values unless -c allowExampleValues=true (what npm run synth passes)', () => {
    expect(() => synthService('dev', { context: { allowExampleValues: undefined } })).toThrow(/-c account=.*-c jwtIssuer=/s);
    expect(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).toMatch(
      /"synth": "(cdk synth [^"]*-c allowExampleValues=true[^"]*){3}/,
    );
  });

  it('fails with a clear message for an unknown environment', () => {
    expect(() => synthService('qa')).toThrow('Unknown environment "qa"');
  });
});

describe('Lambda bundles (built with the local esbuild)', () => {
  it(
    'are ESM with the require banner, carry the AWS SDK with the environment as its only credentials, leave PGlite out, and load in Node',
    { timeout: 180_000 },
    () => {
      const { stack, template, outdir } = synthService('dev', { bundle: true });
      const functions = {
        ...stack.routeGroupFunctions,
        relay: stack.relayFunction,
        migrate: stack.migrateFunction,
        analytics: stack.analyticsFunction,
        export: stack.exportFunction,
        import: stack.importFunction,
        ...Object.fromEntries(Object.entries(stack.consumers).map(([source, consumer]) => [`consumer of ${source}`, consumer.function])),
      };
      // Every function of the service is loaded below (CDK's own trigger provider is not ours).
      const serviceFunctions = stack.node.findChild('Functions').node.children.filter((child) => child instanceof NodejsFunction);
      expect(Object.values(functions).map(logicalId).sort()).toEqual(serviceFunctions.map(logicalId).sort());

      for (const [name, fn] of Object.entries(functions)) {
        const assetHash = (resources(template)[logicalId(fn)]!.Properties.Code.S3Key as string).replace(/\.zip$/, '');
        const file = join(outdir, `asset.${assetHash}`, 'index.mjs');
        const code = readFileSync(file, 'utf8');

        expect(code.startsWith(ESM_REQUIRE_BANNER), name).toBe(true);
        expect(code, name).not.toMatch(/from\s*"@aws-sdk\//);
        // The SDK's credential chain is the environment alone (BUNDLE_ALIASES): no STS or SSO clients inside.
        expect(code, name).not.toMatch(/AssumeRoleWithWebIdentity|GetRoleCredentials/);
        expect(code, name).not.toMatch(/PGlite\.create|pglite\.wasm/);
        // PGlite is for local runs: a bundle may at most import it lazily, never load it at start.
        expect(code, name).not.toMatch(/from\s*"@electric-sql\/pglite|require\("@electric-sql\/pglite/);
        expect(statSync(file).size, name).toBeLessThan(5 * 1024 * 1024);

        // Outside the repository no node_modules can be found: the bundle must stand alone.
        const loaded = execFileSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(typeof m.handler);`,
          ],
          {
            cwd: outdir,
            env: {
              PATH: process.env.PATH,
              DB_CLUSTER_ARN: 'arn:aws:rds:eu-central-1:111111111111:cluster:customer-mgmt-dev',
              DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:admin-AbCdEf',
              DB_NAME: 'customer_mgmt',
              EVENT_BUS_NAME: 'customer-mgmt-dev',
              AWS_REGION: 'eu-central-1',
            },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        expect(loaded, name).toBe('function');
      }
    },
  );
});
