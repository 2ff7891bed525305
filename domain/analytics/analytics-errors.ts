import type { DomainError } from '../errors.js';

/** The expected failures of the analytics service. */
export const ANALYTICS_ERROR_CODES = [
  'ANALYTICS.RUN_NOT_FOUND',
  'ANALYTICS.RUN_IN_PROGRESS',
  'ANALYTICS.MODEL_NOT_FOUND',
  'ANALYTICS.NOT_COMPUTED',
] as const;
export type AnalyticsErrorCode = (typeof ANALYTICS_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the analytics codes to the union
  interface DomainErrorCodes extends Record<AnalyticsErrorCode, true> {}
}

export const runNotFound = (id: string): DomainError => ({
  code: 'ANALYTICS.RUN_NOT_FOUND',
  message: `No analytics run with id ${id} exists. POST /analytics/runs answers the id of a new one.`,
});

export const modelNotFound = (id: string): DomainError => ({
  code: 'ANALYTICS.MODEL_NOT_FOUND',
  message: `No fitted model with id ${id} exists. Insights and run results name the models they come from.`,
});

export const runInProgress = (runId: string): DomainError => ({
  code: 'ANALYTICS.RUN_IN_PROGRESS',
  message: `Analytics run ${runId} is still queued or running; wait for it (GET /analytics/runs/${runId}) before starting another.`,
  details: { run_id: runId },
});

export const notComputed = (currency: string, asOf: string | undefined): DomainError => ({
  code: 'ANALYTICS.NOT_COMPUTED',
  message:
    `No analytics run has scored ${currency} customers${asOf ? ` as of ${asOf} or earlier` : ''}. ` +
    'Start one with POST /analytics/runs (admins), or ask for another currency or a later as_of.',
  details: { currency, ...(asOf && { as_of: asOf }) },
});
