import * as z from 'zod';
import { validationFailed, type DomainError } from '../../domain/errors.js';
import { customerNotFound } from '../../domain/customer/customer-errors.js';
import { companyNotFound } from '../../domain/company/company-errors.js';
import { parseEmail } from '../../domain/shared/email.js';
import { parsePhone } from '../../domain/shared/phone.js';
import { encodePageCursor } from '../http/clean-input.js';
import { success, type HttpResponse } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import { CustomerIdParams } from '../customers/customer.schemas.js';
import { CUSTOMER_PERMISSIONS } from '../customers/customer-permissions.js';
import { customerScope } from '../customers/customer-repository.js';
import { visibilityOf } from '../customers/customers.routes.js';
import { COMPANY_PERMISSIONS } from '../companies/company-permissions.js';
import { companyScope } from '../companies/company-repository.js';
import { readVisibility } from '../companies/companies.routes.js';
import type { CompanyService } from '../companies/company-service.js';
import type { CandidatePage, DuplicateFinder } from './duplicate-finder.js';
import {
  CompanyCandidateRepresentation,
  CustomerCandidateRepresentation,
  DuplicateSearchBody,
  DuplicatesQuery,
} from './duplicates.schemas.js';
import type { JsonValue } from '../../domain/shared/json.js';

export interface DuplicateRouteServices {
  readonly duplicates: DuplicateFinder;
  /** Explains a company that is missing (404 COMPANY.MERGED for a merged one). */
  readonly companies: CompanyService;
}

const CompanyIdParams = z.object({ id: z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' }) });

function pageResponse<T>(page: CandidatePage<T>, limit: number): HttpResponse {
  return success(200, page.candidates as unknown as JsonValue, {
    pagination: { limit, next_cursor: page.next ? encodePageCursor(page.next) : null },
  });
}

const fieldError = (field: string, message: string): DomainError => validationFailed([{ field, message }]);

/** Duplicate detection (docs/duplicates.md): reads, one statement each, within the caller's scope. */
export const duplicateRoutes: readonly Route<any, any, any, DuplicateRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/customers/duplicates/search',
    group: 'api-read',
    operationId: 'searchCustomerDuplicates',
    summary: 'Possible duplicates of an email, phone, name (and company): candidates with score and matched rules, best first',
    permission: CUSTOMER_PERMISSIONS.read,
    body: { schema: DuplicateSearchBody, required: true },
    response: { status: 200, data: z.array(CustomerCandidateRepresentation), paginated: true },
    handle: async ({ body, scope }, services: DuplicateRouteServices) => {
      const email = body.email === undefined ? undefined : parseEmail(body.email);
      if (email && !email.ok) return fieldError('email', email.error);
      const phone = body.phone === undefined ? undefined : parsePhone(body.phone);
      if (phone && !phone.ok) return fieldError('phone', phone.error.message);
      const name = body.name?.trim();
      if (name === '') return fieldError('name', 'must not be blank');
      if (!email && !phone && name === undefined) {
        return fieldError('email', 'give at least one of email, phone and name (company_id only raises a phone or name match)');
      }
      const page = await services.duplicates.searchCustomers(
        { email: email?.value, phone: phone?.value, name, companyId: body.company_id },
        customerScope(visibilityOf(scope)),
        { limit: body.limit, after: body.after },
      );
      return pageResponse(page, body.limit);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/customers/{id}/duplicates',
    group: 'api-read',
    operationId: 'listCustomerDuplicates',
    summary: "The customer's possible duplicates (email, phone, name; raised by company), best first",
    permission: CUSTOMER_PERMISSIONS.read,
    params: CustomerIdParams,
    query: DuplicatesQuery,
    response: { status: 200, data: z.array(CustomerCandidateRepresentation), paginated: true },
    errors: ['CUSTOMER.NOT_FOUND'],
    handle: async ({ params, query, scope }, services: DuplicateRouteServices) => {
      const page = await services.duplicates.ofCustomer(params.id, customerScope(visibilityOf(scope)), query);
      return page ? pageResponse(page, query.limit) : customerNotFound(params.id);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/companies/{id}/duplicates',
    group: 'api-read',
    operationId: 'listCompanyDuplicates',
    summary: "The company's possible duplicates (domain, alias or website host; name, raised by country), best first",
    permission: COMPANY_PERMISSIONS.read,
    params: CompanyIdParams,
    query: DuplicatesQuery,
    response: { status: 200, data: z.array(CompanyCandidateRepresentation), paginated: true },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED'],
    handle: async ({ params, query, scope }, services: DuplicateRouteServices) => {
      const page = await services.duplicates.ofCompany(params.id, companyScope(readVisibility(scope)), query);
      if (page) return pageResponse(page, query.limit);
      const missing = await services.companies.get(params.id, readVisibility(scope));
      return missing.ok ? companyNotFound(params.id) : missing.error;
    },
  }),
];
