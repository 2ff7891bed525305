import { CUSTOMER_ERROR_STATUS } from './customers/customer-errors.js';
import { EDGE_ERROR_STATUS, type ErrorStatusTable } from './http/http-errors.js';
import { INTERACTION_ERROR_STATUS } from './interactions/interaction-errors.js';

/** Every error code of the service and its HTTP status: one table per aggregate, composed; the type demands every code. */
export const ERROR_STATUS: ErrorStatusTable = { ...EDGE_ERROR_STATUS, ...CUSTOMER_ERROR_STATUS, ...INTERACTION_ERROR_STATUS };
