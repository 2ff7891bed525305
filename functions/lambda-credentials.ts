import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (an esbuild alias, BUNDLE_ALIASES in
 * infra/constructs/service-functions.ts): inside Lambda the SDK's default chain always stops at its
 * first link, the execution role's credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN, but bundling the chain carries every other link too (SSO, STS web identity,
 * INI files, processes, the container and instance metadata: ~114 KB of each bundle, issue 17).
 * Only Lambda bundles use this; the local server and the tests keep the SDK's own chain.
 */
export const defaultProvider = (init?: FromEnvInit) => fromEnv(init);
