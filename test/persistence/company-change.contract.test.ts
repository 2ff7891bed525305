import { createSalesRepDirectory } from '../../functions/sales-reps/sales-rep-directory.js';
import { randomUUID } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { createCompany } from '../../domain/company/create-company.js';
import * as commands from '../../domain/company/company-commands.js';
import { COMPANY_KIND, type CompanyChange } from '../../domain/company/company-change.js';
import type { Result } from '../../domain/shared/result.js';
import { createCompanyRepository } from '../../functions/companies/company-repository.js';
import { describeChangeContract } from '../support/change-contract.js';

function valid(change: Result<CompanyChange, unknown>): CompanyChange {
  if (!change.ok) throw new Error(`command refused: ${JSON.stringify(change.error)}`);
  return change.value;
}

/** A live company every test database holds, so that changes of the parent have one to name. */
const PARENT_ID = uuidv7();
const unique = () => randomUUID().slice(0, 8);
/** Owners must be active sales reps (the write statement checks the directory). */
const REPS = [randomUUID(), randomUUID(), randomUUID()];

describeChangeContract({
  aggregate: 'Company',
  kind: COMPANY_KIND,
  repository: async (db) => {
    const directory = createSalesRepDirectory(db);
    for (const rep of REPS) await directory.upsert({ userId: rep, active: true, at: '2025-01-01T00:00:00.000Z' });
    const repository = createCompanyRepository(db);
    const parent = createCompany(
      { name: 'Group Holding' },
      { eventId: uuidv7(), now: '2025-01-01T00:00:00.000Z', actor: 'contract-test', companyId: PARENT_ID },
    );
    if (!parent.ok) throw new Error(parent.error.message);
    await repository.insert(parent.value.company, parent.value.event);
    return repository;
  },
  create: ({ id, ...context }) => {
    const created = createCompany(
      {
        name: 'Acme',
        domain: `acme-${unique()}.example`,
        domainAliases: [`acme-${unique()}.example`],
        tags: ['x', 'y'],
        sizeBand: '11-50',
      },
      { ...context, companyId: id },
    );
    return created.ok ? { ok: true, value: { entity: created.value.company, event: created.value.event } } : created;
  },
  steps: [
    { name: 'assign', build: (_now, current) => commands.assignCompany(REPS.find((rep) => rep !== current.ownerId)!) },
    { name: 'unassign', build: () => commands.assignCompany(null) },
    { name: 'tags', build: () => valid(commands.replaceCompanyTags(['b', 'a'])) },
    { name: 'same tags, other order', build: (_, current) => valid(commands.replaceCompanyTags([...current.tags].reverse())) },
    {
      name: 'details',
      build: () =>
        valid(
          commands.updateCompanyDetails({
            name: 'Acme Ltd',
            industry: 'Software',
            sizeBand: '51-200',
            country: 'gb',
            phone: '+44 20 7946 0958',
            website: 'acme.example/about',
            externalId: `crm-${unique()}`,
          }),
        ),
    },
    { name: 'new domain', build: () => valid(commands.updateCompanyDetails({ domain: `https://www.new-${unique()}.example/x` })) },
    { name: 'no domain', build: () => valid(commands.updateCompanyDetails({ domain: null })) },
    {
      name: 'aliases, other order',
      build: (_, current) => valid(commands.updateCompanyDetails({ domainAliases: [...current.domainAliases].reverse() })),
    },
    {
      name: 'new aliases',
      build: () => valid(commands.updateCompanyDetails({ domainAliases: [`a-${unique()}.example`, `b-${unique()}.example`] })),
    },
    {
      name: 'primary domain that is an alias (refused)',
      build: (_, current) =>
        current.domainAliases[0] === undefined
          ? commands.assignCompany(null)
          : valid(commands.updateCompanyDetails({ domain: current.domainAliases[0] })),
    },
    { name: 'join the group', build: () => valid(commands.updateCompanyDetails({ parentCompanyId: PARENT_ID })) },
    { name: 'leave the group', build: () => valid(commands.updateCompanyDetails({ parentCompanyId: null })) },
    { name: 'its own parent (refused)', build: (_, current) => valid(commands.updateCompanyDetails({ parentCompanyId: current.id })) },
    { name: 'delete', build: (now) => commands.deleteCompany(now) },
  ],
});
