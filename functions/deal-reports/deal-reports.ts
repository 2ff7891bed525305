import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { forecastReport } from './forecast-report.js';
import { pipelineReport } from './pipeline-report.js';
import { salesVelocityReport } from './sales-velocity-report.js';
import { stageConversionReport } from './stage-conversion-report.js';
import { winRateReport } from './win-rate-report.js';

/** The five deal reports over one database handle; each is one read-only statement, computed on request. */
export function createDealReports(db: Kysely<Database>, now: () => Date) {
  return {
    now,
    pipeline: pipelineReport.bind(null, db),
    forecast: forecastReport.bind(null, db),
    winRate: winRateReport.bind(null, db),
    salesVelocity: salesVelocityReport.bind(null, db),
    stageConversion: stageConversionReport.bind(null, db),
  };
}

export type DealReports = ReturnType<typeof createDealReports>;
