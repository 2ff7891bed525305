import { ANALYTICS_ERROR_STATUS } from './analytics/analytics-errors.js';
import { CUSTOMER_ERROR_STATUS } from './customers/customer-errors.js';
import { EDGE_ERROR_STATUS, type ErrorStatusTable } from './http/http-errors.js';

/** Every error code of the service and its HTTP status: one table per aggregate, composed; the type demands every code. */
export const ERROR_STATUS: ErrorStatusTable = { ...EDGE_ERROR_STATUS, ...CUSTOMER_ERROR_STATUS, ...ANALYTICS_ERROR_STATUS };
