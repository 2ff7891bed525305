/** Architecture rules checked by `npm test` (see ../shared/design/ARCHITECTURE.md). */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ is pure TypeScript: it may import only domain/ (tests may also use their test tools).',
      severity: 'error',
      from: { path: '^domain/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^domain/' },
    },
    {
      name: 'domain-tests-use-test-tools-only',
      severity: 'error',
      from: { path: '^domain/.*\\.test\\.ts$' },
      to: { pathNot: ['^domain/', 'node_modules/(vitest|fast-check|@vitest)/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'functions-do-not-import-infra-or-tests',
      comment: 'Production code never reaches into the CDK app, the local stack or test helpers.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(infra|test|bench)/' },
    },
    {
      name: 'migrations-use-kysely-only',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { pathNot: ['^migrations/', 'node_modules/kysely/'] },
    },
    {
      name: 'shared-rooms-name-no-aggregate',
      comment:
        'The platform (http, events, db, auth, idempotency, kit, openapi) serves every aggregate and names none: aggregates depend on it, never the reverse.',
      severity: 'error',
      from: { path: '^functions/(http|events|db|auth|idempotency|kit|openapi)/' },
      to: { path: '^functions/(customers|companies|deals|pipelines|interactions|analytics|purchases|sales-reps|integration)/' },
    },
    {
      name: 'shared-domain-names-no-aggregate',
      comment: 'domain/shared is the kit of the domain: value objects, the change core, errors base.',
      severity: 'error',
      from: { path: '^domain/shared/' },
      to: { path: '^domain/(?!shared/)[^/]+/' },
    },
    {
      name: 'idempotency-is-not-http',
      comment: 'Idempotency keys are a storage concern; the HTTP wrapper uses them, not the other way round.',
      severity: 'error',
      from: { path: '^functions/idempotency/' },
      to: { path: '^functions/http/' },
    },
    {
      name: 'shared-rooms-do-not-reach-the-composition-root',
      comment: 'routes.ts, services.ts, event-catalogue.ts compose the aggregates; shared modules get what they need injected.',
      severity: 'error',
      from: {
        path: '^functions/(http|events|db|auth|idempotency|kit|openapi)/',
        pathNot: '^functions/(events/export-schemas|openapi/export-openapi)\\.ts$',
      },
      to: { path: '^functions/[^/]+\\.ts$', pathNot: '^functions/(config|logger|observability)\\.ts$' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
