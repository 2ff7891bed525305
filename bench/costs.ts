import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCostModel } from './cost-model.js';
import { PAGES, replaceGeneratedBlock } from './generated-blocks.js';
import type { BenchReport } from './report.js';
import { RESULTS_DIR } from './settings.js';

/** The cost model's blocks: the whole page in docs/costs.md, the same table in the README. */
export function costBlocks(report: Pick<BenchReport, 'scenarios' | 'data_api_calls' | 'date'>): [string, string, string][] {
  const model = formatCostModel(report);
  return [
    [PAGES.costs, 'costs', model],
    [PAGES.readme, 'costs', model],
  ];
}

// `npm run bench:costs [report.json] [calls.json]`: the model of a stored run, optionally with Data
// API call counts measured later (a partial run: `npm run bench -- --skip=raw,pg` prints them).
if (process.argv[1]?.endsWith('costs.ts')) {
  const [reportFile = join(RESULTS_DIR, 'latest.json'), callsFile] = process.argv.slice(2);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BenchReport;
  const calls = callsFile ? (JSON.parse(readFileSync(callsFile, 'utf8')) as Record<string, number>) : report.data_api_calls;
  const modelled = { ...report, data_api_calls: calls };
  process.stdout.write(`${formatCostModel(modelled)}\n`);
  for (const [page, name, content] of costBlocks(modelled)) {
    if (replaceGeneratedBlock(page, name, content)) process.stdout.write(`wrote ${page}\n`);
  }
}
