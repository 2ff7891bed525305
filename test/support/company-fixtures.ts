import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../../functions/db/database.js';
import { createCompanyService } from '../../functions/companies/company-service.js';

/** Stores a live company (a customer's company_id must name one) and answers its id. */
export async function aCompany(db: Kysely<Database>, name = 'Fixture Company', id = uuidv7()): Promise<string> {
  const companies = createCompanyService({ db, now: () => new Date(), newId: () => id });
  const created = await companies.create({ name }, 'test-fixture');
  if (!created.ok) throw new Error(`could not store a company: ${created.error.message}`);
  return created.value.company.id;
}
