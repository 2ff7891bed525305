import { fileURLToPath } from 'node:url';
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { routes } from '../../functions/routes.js';
import { resolveEnvironment } from '../config/environments.js';
import { CustomerMgmtStack } from './customer-mgmt-stack.js';

/** The repository root, wherever the app is started from. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function stackName(environment: string): string {
  return `CustomerMgmt-${environment}`;
}

/**
 * Adds the service stack of the environment chosen with `-c env=<name>` to the app, and the
 * cdk-nag AwsSolutions checks: an unacknowledged finding fails synthesis.
 * `-c deployId=<id>` pins the id that makes migrations run (defaults to the synth time, so
 * every deploy runs them; CI can pass the commit sha to keep templates reproducible).
 */
export function addServiceStack(app: App, env: Record<string, string | undefined> = process.env): CustomerMgmtStack {
  const config = resolveEnvironment((key) => app.node.tryGetContext(key), env);
  const deployId = app.node.tryGetContext('deployId');
  const stack = new CustomerMgmtStack(app, stackName(config.name), {
    config,
    routes,
    projectRoot: PROJECT_ROOT,
    deployId: typeof deployId === 'string' && deployId !== '' ? deployId : new Date().toISOString(),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
