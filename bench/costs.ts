import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCostModel } from './cost-model.js';
import type { BenchReport } from './report.js';
import { PROJECT_ROOT, RESULTS_DIR } from './settings.js';

export const COSTS_PAGE = join(PROJECT_ROOT, 'docs', 'costs.md');
const START = '<!-- bench:costs:start -->';
const END = '<!-- bench:costs:end -->';

/** Replaces the generated block of docs/costs.md with the model of `report`; returns the page's path if it did. */
export function writeCostPage(report: Pick<BenchReport, 'scenarios' | 'data_api_calls' | 'date'>): string | undefined {
  const page = readFileSync(COSTS_PAGE, 'utf8');
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) return undefined;
  writeFileSync(COSTS_PAGE, `${page.slice(0, start + START.length)}\n${formatCostModel(report)}\n${page.slice(end)}`);
  return COSTS_PAGE;
}

// `npm run bench:costs [report.json] [calls.json]`: the model of a stored run, optionally with Data
// API call counts measured later (a partial run: `npm run bench -- --skip=raw,pg` prints them).
if (process.argv[1]?.endsWith('costs.ts')) {
  const [reportFile = join(RESULTS_DIR, 'latest.json'), callsFile] = process.argv.slice(2);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BenchReport;
  const calls = callsFile ? (JSON.parse(readFileSync(callsFile, 'utf8')) as Record<string, number>) : report.data_api_calls;
  const modelled = { ...report, data_api_calls: calls };
  process.stdout.write(`${formatCostModel(modelled)}\n`);
  const written = writeCostPage(modelled);
  if (written) process.stdout.write(`wrote ${written}\n`);
}
