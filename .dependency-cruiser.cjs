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
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
