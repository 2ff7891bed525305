import * as z from 'zod';
import { CompanyFieldValidator } from '../../domain/company/company-fields.js';
import type { Company } from '../../domain/company/company.js';
import { companyNotFound } from '../../domain/company/company-errors.js';
import { parseDomainName } from '../../domain/shared/domain-name.js';
import { err, ok } from '../../domain/shared/result.js';
import type { BatchObject } from '../batch/batch-object.js';
import { companyBody } from './company-responses.js';
import { COMPANY_SEARCH } from './company-search.js';
import { COMPANY_PERMISSIONS } from './company-permissions.js';
import { CreateCompanyBody, CompanyRepresentation, UpdateCompanyBody } from './company.schemas.js';
import { companyUpdateFromBody, createCompanyFromBody, writeVisibility, type CompanyRouteServices } from './companies.routes.js';

/**
 * Companies in batches: each input is POST /companies, PUT /companies/{id} or DELETE /companies/{id}
 * (without detach_contacts: a company with contacts is refused per input, HAS_CONTACTS). An upsert
 * sets what both a create and PUT accept; the owner and tags keep their own routes.
 */
export const COMPANY_BATCH: BatchObject<
  CompanyRouteServices,
  Company,
  z.infer<typeof CreateCompanyBody>,
  z.infer<typeof UpdateCompanyBody>
> = {
  search: COMPANY_SEARCH,
  permissions: {
    create: COMPANY_PERMISSIONS.create,
    update: COMPANY_PERMISSIONS.update,
    read: COMPANY_PERMISSIONS.read,
    archive: COMPANY_PERMISSIONS.delete,
  },
  fieldPermissions: { owner_id: COMPANY_PERMISSIONS.assign, tags: COMPANY_PERMISSIONS.tags },
  createItem: CreateCompanyBody,
  updateItem: UpdateCompanyBody,
  upsertItem: CreateCompanyBody.omit({ owner_id: true, tags: true }),
  upsertKeys: ['id', 'domain', 'external_id'],
  keyTaken: { domain: 'COMPANY.DOMAIN_TAKEN', external_id: 'COMPANY.EXTERNAL_ID_TAKEN' },
  representation: CompanyRepresentation,
  errors: [
    'COMPANY.NOT_FOUND',
    'COMPANY.DOMAIN_TAKEN',
    'COMPANY.EXTERNAL_ID_TAKEN',
    'COMPANY.UNKNOWN_PARENT',
    'COMPANY.HIERARCHY_CYCLE',
    'COMPANY.HIERARCHY_TOO_DEEP',
    'COMPANY.UNKNOWN_SALES_REP',
    'COMPANY.HAS_CONTACTS',
    'COMPANY.HAS_SUBSIDIARIES',
    'COMPANY.VERSION_MISMATCH',
  ],
  normaliseKey(key, value) {
    if (key === 'id') return z.uuid().safeParse(value).success ? ok(String(value).toLowerCase()) : err('must be a UUID');
    if (typeof value !== 'string') return err('must be a string');
    // The domain index holds domains as parseDomainName leaves them (a URL reduced to its host);
    // external ids are stored trimmed, as the company's own field rule leaves them.
    if (key === 'domain') return parseDomainName(value);
    const fields = new CompanyFieldValidator();
    const externalId = fields.externalId(value);
    const checked = fields.result(externalId ?? '');
    return checked.ok ? ok(checked.value) : err(checked.error.message);
  },
  async findIdByKey(services, key, value, { scope }) {
    if (key === 'id') {
      const found = await services.companies.get(value, writeVisibility(scope));
      return found.ok ? found.value.id : null;
    }
    return services.companies.findIdByUnique(key === 'domain' ? 'domain' : 'external_id', value, writeVisibility(scope));
  },
  async create(services, input, caller) {
    const created = await createCompanyFromBody(services.companies, input, caller);
    return created.ok ? ok({ status: 'created', entity: created.value }) : created;
  },
  async update(services, id, input, expectedVersion, { actor, scope }) {
    const options = { visibility: writeVisibility(scope), expectedVersion };
    const change = companyUpdateFromBody(input);
    if (!change.ok) return change;
    let outcome = await services.companies.change(id, () => change.value, actor.id, options);
    // An upsert that matched a merged loser's external id updates the survivor, which keeps its own
    // (the loser's stays reserved to it, docs/merge.md): the rest of the input is applied without it.
    const taken = !outcome.ok && outcome.error.code === 'COMPANY.EXTERNAL_ID_TAKEN' ? outcome.error.details : undefined;
    if (taken?.['existing_company_id'] === id && input.external_id !== undefined) {
      const { external_id: _reserved, ...rest } = input;
      const without = companyUpdateFromBody(rest);
      if (!without.ok) return without;
      outcome = await services.companies.change(id, () => without.value, actor.id, options);
    }
    if (!outcome.ok) return outcome;
    return ok({ status: outcome.value.kind === 'changed' ? 'updated' : 'unchanged', entity: outcome.value.entity });
  },
  async archive(services, id, expectedVersion, { actor, scope }) {
    const deleted = await services.companies.delete(id, actor.id, { visibility: writeVisibility(scope), expectedVersion });
    return deleted.ok ? ok({ status: 'archived', entity: deleted.value.company }) : deleted;
  },
  identity: ({ id, version }) => ({ id, version }),
  body: (entity) => companyBody(entity),
  notFound: companyNotFound,
};
