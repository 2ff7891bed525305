import { COMPANY_ERROR_STATUS } from './companies/company-errors.js';
import { ANALYTICS_ERROR_STATUS } from './analytics/analytics-errors.js';
import { CUSTOMER_ERROR_STATUS } from './customers/customer-errors.js';
import { DEAL_ERROR_STATUS } from './deals/deal-errors.js';
import { PIPELINE_ERROR_STATUS } from './pipelines/pipeline-errors.js';
import { EDGE_ERROR_STATUS, type ErrorStatusTable } from './http/http-errors.js';
import { BATCH_ERROR_STATUS } from './batch/batch-errors.js';
import { INTERACTION_ERROR_STATUS } from './interactions/interaction-errors.js';
import { EXPORT_ERROR_STATUS } from './exports/export-errors.js';
import { MERGE_ERROR_STATUS } from './merge/merge-errors.js';
import { IMPORT_ERROR_STATUS } from './imports/import-errors.js';

/** Every error code of the service and its HTTP status: one table per aggregate, composed; the type demands every code. */
export const ERROR_STATUS: ErrorStatusTable = {
  ...EDGE_ERROR_STATUS,
  ...CUSTOMER_ERROR_STATUS,
  ...COMPANY_ERROR_STATUS,
  ...DEAL_ERROR_STATUS,
  ...PIPELINE_ERROR_STATUS,
  ...INTERACTION_ERROR_STATUS,
  ...ANALYTICS_ERROR_STATUS,
  ...BATCH_ERROR_STATUS,
  ...EXPORT_ERROR_STATUS,
  ...MERGE_ERROR_STATUS,
  ...IMPORT_ERROR_STATUS,
};
