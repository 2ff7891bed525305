import type { CompanyErrorCode } from '../../domain/company/company-errors.js';

/** The HTTP status of every company error; the compiler refuses a code without one. */
export const COMPANY_ERROR_STATUS: Readonly<Record<CompanyErrorCode, number>> = {
  'COMPANY.NOT_FOUND': 404,
  'COMPANY.DOMAIN_TAKEN': 409,
  'COMPANY.EXTERNAL_ID_TAKEN': 409,
  'COMPANY.UNKNOWN_PARENT': 422,
  'COMPANY.HIERARCHY_CYCLE': 409,
  'COMPANY.HIERARCHY_TOO_DEEP': 409,
  'COMPANY.HAS_CONTACTS': 409,
  'COMPANY.HAS_SUBSIDIARIES': 409,
  'COMPANY.HAS_OPEN_DEALS': 409,
  'COMPANY.VERSION_MISMATCH': 412,
  'COMPANY.UNKNOWN_SALES_REP': 422,
};
