import { App } from 'aws-cdk-lib';
import { ConfigurationError } from './config/environments.js';
import { addServiceStack } from './stacks/service-app.js';

// `npx cdk synth|deploy -c env=dev|staging|prod`; the overrides are listed in docs/deploying.md.
const app = new App();
try {
  addServiceStack(app);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`customer-mgmt: ${error.message}`);
  process.exit(1);
}
app.synth();
