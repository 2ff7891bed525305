import type { DomainError } from '../errors.js';

/** The expected failures of the Company aggregate. */
export const COMPANY_ERROR_CODES = [
  'COMPANY.NOT_FOUND',
  'COMPANY.DOMAIN_TAKEN',
  'COMPANY.EXTERNAL_ID_TAKEN',
  'COMPANY.UNKNOWN_PARENT',
  'COMPANY.HIERARCHY_CYCLE',
  'COMPANY.HIERARCHY_TOO_DEEP',
  'COMPANY.HAS_CONTACTS',
  'COMPANY.HAS_SUBSIDIARIES',
  'COMPANY.HAS_OPEN_DEALS',
  'COMPANY.VERSION_MISMATCH',
  'COMPANY.UNKNOWN_SALES_REP',
] as const;
export type CompanyErrorCode = (typeof COMPANY_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the company codes to the union
  interface DomainErrorCodes extends Record<CompanyErrorCode, true> {}
}

export function companyNotFound(id: string): DomainError {
  return { code: 'COMPANY.NOT_FOUND', message: `No company with id ${id} exists (it may have been deleted).` };
}

export function hierarchyCycle(companyId: string, parentId: string): DomainError {
  return {
    code: 'COMPANY.HIERARCHY_CYCLE',
    message: `Company ${parentId} is ${companyId === parentId ? 'this company itself' : 'a subsidiary of this company'}, so it cannot be its parent: the hierarchy would form a cycle. Choose a company outside its subtree.`,
    details: { field: 'parent_company_id', parent_company_id: parentId },
  };
}
