import type { AnalyticsErrorCode } from '../../domain/analytics/analytics-errors.js';

/** The HTTP status of every analytics error; the compiler refuses a code without one. */
export const ANALYTICS_ERROR_STATUS: Readonly<Record<AnalyticsErrorCode, number>> = {
  'ANALYTICS.RUN_NOT_FOUND': 404,
  'ANALYTICS.MODEL_NOT_FOUND': 404,
  'ANALYTICS.NOT_COMPUTED': 404,
  'ANALYTICS.RUN_IN_PROGRESS': 409,
};
