import type { CustomerErrorCode } from '../../domain/customer/customer-errors.js';

/** The HTTP status of every customer error; the compiler refuses a code without one. */
export const CUSTOMER_ERROR_STATUS: Readonly<Record<CustomerErrorCode, number>> = {
  'CUSTOMER.NOT_FOUND': 404,
  'CUSTOMER.EMAIL_TAKEN': 409,
  'CUSTOMER.EXTERNAL_ID_TAKEN': 409,
  'CUSTOMER.USER_ALREADY_LINKED': 409,
  'CUSTOMER.ACCOUNT_TYPE_CONFLICT': 409,
  'CUSTOMER.INVALID_TRANSITION': 409,
  'CUSTOMER.VERSION_MISMATCH': 412,
  'CUSTOMER.UNKNOWN_SALES_REP': 422,
  'CUSTOMER.UNKNOWN_COMPANY': 422,
  'CUSTOMER.ERASED': 409,
  'CUSTOMER.SUPPRESSED': 409,
};
