import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishReport, type BenchReport } from './report.js';
import { RESULTS_DIR } from './settings.js';

// `npm run bench:publish [report.json]`: rewrites the generated blocks of the README and the docs
// from a stored run (bench/results/latest.json by default), as the run itself does.
const [reportFile = join(RESULTS_DIR, 'latest.json')] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BenchReport;
for (const page of publishReport(report)) process.stdout.write(`wrote ${page}\n`);
