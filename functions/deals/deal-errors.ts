import type { DealErrorCode } from '../../domain/deal/deal-errors.js';

/** The HTTP status of every deal error; the compiler refuses a code without one. */
export const DEAL_ERROR_STATUS: Readonly<Record<DealErrorCode, number>> = {
  'DEAL.NOT_FOUND': 404,
  'DEAL.VERSION_MISMATCH': 412,
  'DEAL.INVALID_TRANSITION': 409,
  'DEAL.USE_CLOSE_COMMAND': 409,
  'DEAL.UNKNOWN_STAGE': 422,
  'DEAL.UNKNOWN_LOST_REASON': 422,
  'DEAL.UNKNOWN_PIPELINE': 422,
  'DEAL.UNKNOWN_CUSTOMER': 422,
  'DEAL.UNKNOWN_COMPANY': 422,
  'DEAL.UNKNOWN_CONTACT': 422,
  'DEAL.CUSTOMER_NOT_IN_COMPANY': 422,
  'DEAL.EXTERNAL_ID_TAKEN': 409,
  'DEAL.BUSY': 409,
};
