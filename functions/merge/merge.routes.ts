import type { Customer } from '../../domain/customer/customer.js';
import type { ChoosableField } from '../../domain/customer/merge-customers.js';
import { customerBody, etagOf } from '../customers/customer-responses.js';
import { CustomerIdParams } from '../customers/customer.schemas.js';
import { expectedTagFrom } from '../http/conditional-requests.js';
import type { ApiError } from '../http/http-errors.js';
import { success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import type { ChoosableCompanyField } from '../../domain/company/merge-companies.js';
import { companyBody, companyEtag } from '../companies/company-responses.js';
import { CompanyIdParams } from '../companies/company.schemas.js';
import type { CompanyMerges } from './company-merge.js';
import type { CompanyUnmerges } from './company-unmerge.js';
import type { CustomerMerges } from './customer-merge.js';
import type { CustomerUnmerges } from './customer-unmerge.js';
import { MERGE_PERMISSIONS } from './merge-permissions.js';
import {
  CompanyMergeRepresentation,
  CompanyUnmergeRepresentation,
  CustomerMergeRepresentation,
  CustomerUnmergeRepresentation,
  MergeCompaniesBody,
  MergeCustomersBody,
  UnmergeCompanyBody,
  UnmergeCustomerBody,
} from './merge.schemas.js';

export interface MergeRouteServices {
  readonly merges: { readonly customers: CustomerMerges & CustomerUnmerges; readonly companies: CompanyMerges & CompanyUnmerges };
}

const VERSION_MISMATCH: ApiError = { code: 'CUSTOMER.VERSION_MISMATCH', message: 'If-Match names another version of the survivor.' };

const CHOICE_FIELDS: Readonly<Record<string, ChoosableField>> = {
  name: 'name',
  phone: 'phone',
  source: 'source',
  assigned_to: 'assignedTo',
  company_id: 'companyId',
};

const COMPANY_VERSION_MISMATCH: ApiError = { code: 'COMPANY.VERSION_MISMATCH', message: 'If-Match names another version of the survivor.' };

const COMPANY_CHOICE_FIELDS: Readonly<Record<string, ChoosableCompanyField>> = {
  name: 'name',
  industry: 'industry',
  size_band: 'sizeBand',
  country: 'country',
  phone: 'phone',
  website: 'website',
  owner_id: 'ownerId',
};

const companyMoved = (counts: Readonly<Record<string, number>>) => ({
  contacts: counts.contacts ?? 0,
  deals: counts.deals ?? 0,
  interactions: counts.interactions ?? 0,
  subsidiaries: counts.subsidiaries ?? 0,
});

const moved = (counts: Readonly<Record<string, number>>) => ({
  orders: counts.orders ?? 0,
  interactions: counts.interactions ?? 0,
  deals: counts.deals ?? 0,
});

const withEtag = (customer: Customer) => ({ headers: { etag: etagOf(customer) } });

/** Merge with undo (docs/merge.md). */
export const mergeRoutes: readonly Route<any, any, any, MergeRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/customers/{id}/merge',
    group: 'api-write',
    operationId: 'mergeCustomers',
    summary: 'Merge 1–9 duplicates into this customer (the survivor), or preview it with dry_run; undoable for 30 days',
    permission: MERGE_PERMISSIONS.merge,
    params: CustomerIdParams,
    body: { schema: MergeCustomersBody, required: true },
    response: { status: 200, data: CustomerMergeRepresentation, headers: ['etag'] },
    errors: [
      'CUSTOMER.NOT_FOUND',
      'CUSTOMER.MERGED',
      'CUSTOMER.ERASED',
      'CUSTOMER.VERSION_MISMATCH',
      'MERGE.INVALID_SET',
      'MERGE.CONFLICTING_ACCOUNTS',
      'MERGE.ACCOUNT_TYPE_CONFLICT',
      'MERGE.TOO_MANY_TAGS',
      'MERGE.TOTAL_TOO_LARGE',
    ],
    conditional: 'if-match',
    handle: async ({ params, body, headers, actor }, services: MergeRouteServices) => {
      const expected = expectedTagFrom(headers, VERSION_MISMATCH);
      if (!expected.ok) return expected.error;
      const fieldChoices = Object.fromEntries(
        Object.entries(body.field_choices ?? {}).map(([field, source]) => [CHOICE_FIELDS[field]!, source]),
      ) as Partial<Record<ChoosableField, string>>;
      const merged = await services.merges.customers.merge({
        survivorId: params.id,
        mergeIds: body.merge_ids,
        fieldChoices,
        dryRun: body.dry_run ?? false,
        expected: expected.value,
        actor: actor.id,
      });
      if (!merged.ok) return merged.error;
      const outcome = merged.value;
      return success(
        200,
        {
          customer: customerBody(outcome.customer),
          merge_id: outcome.mergeId,
          merged_ids: [...outcome.mergedIds],
          field_sources: outcome.fieldSources,
          aliases: [...outcome.aliases],
          moved: moved(outcome.moved),
          undo_until: outcome.undoUntil,
          dry_run: outcome.dryRun,
        },
        withEtag(outcome.customer),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/customers/{id}/unmerge',
    group: 'api-write',
    operationId: 'unmergeCustomer',
    summary: 'Undo a merge for one merged customer within 30 days: it comes back and what the merge moved from it moves back',
    permission: MERGE_PERMISSIONS.unmerge,
    params: CustomerIdParams,
    body: { schema: UnmergeCustomerBody, required: true },
    response: { status: 200, data: CustomerUnmergeRepresentation, headers: ['etag'] },
    errors: ['CUSTOMER.NOT_FOUND', 'CUSTOMER.MERGED', 'CUSTOMER.ERASED', 'MERGE.NOT_MERGED', 'MERGE.UNDO_EXPIRED', 'MERGE.UNDO_UNSAFE'],
    handle: async ({ params, body, actor }, services: MergeRouteServices) => {
      const unmerged = await services.merges.customers.unmerge({ survivorId: params.id, loserId: body.customer_id, actor: actor.id });
      if (!unmerged.ok) return unmerged.error;
      const outcome = unmerged.value;
      return success(
        200,
        {
          customer: customerBody(outcome.survivor),
          restored: customerBody(outcome.restored),
          merge_id: outcome.mergeId,
          moved_back: moved(outcome.movedBack),
        },
        withEtag(outcome.survivor),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/companies/{id}/merge',
    group: 'api-write',
    operationId: 'mergeCompanies',
    summary: 'Merge 1–9 duplicate companies into this one (the survivor), or preview it with dry_run; undoable for 30 days',
    permission: MERGE_PERMISSIONS.merge,
    params: CompanyIdParams,
    body: { schema: MergeCompaniesBody, required: true },
    response: { status: 200, data: CompanyMergeRepresentation, headers: ['etag'] },
    errors: [
      'COMPANY.NOT_FOUND',
      'COMPANY.MERGED',
      'COMPANY.VERSION_MISMATCH',
      'COMPANY.HIERARCHY_CYCLE',
      'COMPANY.HIERARCHY_TOO_DEEP',
      'MERGE.INVALID_SET',
      'MERGE.TOO_MANY_TAGS',
      'MERGE.TOO_MANY_DOMAINS',
    ],
    conditional: 'if-match',
    handle: async ({ params, body, headers, actor }, services: MergeRouteServices) => {
      const expected = expectedTagFrom(headers, COMPANY_VERSION_MISMATCH);
      if (!expected.ok) return expected.error;
      const fieldChoices = Object.fromEntries(
        Object.entries(body.field_choices ?? {}).map(([field, source]) => [COMPANY_CHOICE_FIELDS[field]!, source]),
      ) as Partial<Record<ChoosableCompanyField, string>>;
      const merged = await services.merges.companies.merge({
        survivorId: params.id,
        mergeIds: body.merge_ids,
        fieldChoices,
        dryRun: body.dry_run ?? false,
        expectedVersion: expected.value?.version,
        actor: actor.id,
      });
      if (!merged.ok) return merged.error;
      const outcome = merged.value;
      return success(
        200,
        {
          company: companyBody(outcome.company),
          merge_id: outcome.mergeId,
          merged_ids: [...outcome.mergedIds],
          field_sources: outcome.fieldSources,
          domains: [...outcome.domains],
          moved: companyMoved(outcome.moved),
          undo_until: outcome.undoUntil,
          dry_run: outcome.dryRun,
        },
        { headers: { etag: companyEtag(outcome.company) } },
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/companies/{id}/unmerge',
    group: 'api-write',
    operationId: 'unmergeCompany',
    summary:
      'Undo a company merge for one merged company within 30 days: it comes back with its domains, and what the merge moved from it moves back',
    permission: MERGE_PERMISSIONS.unmerge,
    params: CompanyIdParams,
    body: { schema: UnmergeCompanyBody, required: true },
    response: { status: 200, data: CompanyUnmergeRepresentation, headers: ['etag'] },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED', 'MERGE.NOT_MERGED', 'MERGE.UNDO_EXPIRED', 'MERGE.UNDO_UNSAFE'],
    handle: async ({ params, body, actor }, services: MergeRouteServices) => {
      const unmerged = await services.merges.companies.unmerge({ survivorId: params.id, loserId: body.company_id, actor: actor.id });
      if (!unmerged.ok) return unmerged.error;
      const outcome = unmerged.value;
      return success(
        200,
        {
          company: companyBody(outcome.survivor),
          restored: companyBody(outcome.restored),
          merge_id: outcome.mergeId,
          moved_back: companyMoved(outcome.movedBack),
        },
        { headers: { etag: companyEtag(outcome.survivor) } },
      );
    },
  }),
];
