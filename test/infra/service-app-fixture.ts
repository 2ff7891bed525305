import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnResource, type IResolvable } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { addServiceStack, PROJECT_ROOT } from '../../infra/stacks/service-app.js';
import type { CustomerMgmtStack } from '../../infra/stacks/customer-mgmt-stack.js';

/** The context `npx cdk` passes (feature flags from cdk.json), so tests synthesise what the CLI would. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;

export const TEMP_DIR_PREFIX = 'customer-mgmt-cdk-test-';

export interface SynthOptions {
  /** Extra `-c key=value` pairs. */
  readonly context?: Record<string, unknown>;
  /** Run esbuild; off by default, tests that do not look at a bundle skip it. */
  readonly bundle?: boolean;
  /** Stands in for process.env (CDK_DEPLOY_ACCOUNT, …); empty so a developer's shell cannot change results. */
  readonly env?: Record<string, string | undefined>;
  /** Changes the stack before synthesis (to prove a check catches something). */
  readonly beforeSynth?: (stack: CustomerMgmtStack) => void;
}

export interface SynthesizedService {
  readonly app: App;
  readonly stack: CustomerMgmtStack;
  readonly template: Template;
  readonly outdir: string;
}

const outdirs: string[] = [];

/**
 * Synthesises the service app for one environment into a fresh folder under the OS temp dir, the
 * way `cdk synth -c env=<name>` does (cdk-nag included). CloudFormation's built-in rule check is
 * left to `npm run synth`: it adds seconds per synth and checks CDK's output, not ours.
 */
export function synthService(environment: string, options: SynthOptions = {}): SynthesizedService {
  const outdir = newOutdir();
  const app = new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: {
      ...CDK_JSON_CONTEXT,
      env: environment,
      deployId: 'test-deploy',
      // As `npm run synth` does: the committed example account and issuer are fine offline.
      allowExampleValues: 'true',
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const stack = addServiceStack(app, options.env ?? {});
  options.beforeSynth?.(stack);
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  return { app, stack, template, outdir };
}

function newOutdir(): string {
  const outdir = mkdtempSync(join(tmpdir(), TEMP_DIR_PREFIX));
  outdirs.push(outdir);
  return outdir;
}

/** An empty app for testing one construct, writing only where removeSynthOutputs cleans up. */
export function scratchApp(): App {
  return new App({ outdir: newOutdir(), builtinCloudFormationValidation: false });
}

/** Removes every folder synthService or scratchApp created; call from afterAll. */
export function removeSynthOutputs(): void {
  for (const outdir of outdirs.splice(0)) rmSync(outdir, { recursive: true, force: true });
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnResource;
  return resource.stack.getLogicalId(resource);
}

/** A token as it appears in the template (`{ Ref: … }`, `{ 'Fn::GetAtt': … }`, …). */
export function resolved(stack: CustomerMgmtStack, value: string | IResolvable): unknown {
  return stack.resolve(value);
}

export type TemplateResource = {
  Type: string;
  Properties: Record<string, any>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

export function resources(template: Template, type?: string): Record<string, TemplateResource> {
  const all = template.toJSON().Resources as Record<string, TemplateResource>;
  return type ? Object.fromEntries(Object.entries(all).filter(([, resource]) => resource.Type === type)) : all;
}
