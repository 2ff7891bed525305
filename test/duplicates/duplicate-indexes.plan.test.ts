import { CompiledQuery, sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { possibleDuplicatesOfNew } from '../../functions/duplicates/customer-duplicate-rules.js';
import { duplicateStatements } from '../../functions/duplicates/duplicate-finder.js';
import { openTestDatabase, type DialectName, type TestDatabase } from '../support/test-databases.js';

const CUSTOMERS = 100_000;
const COMPANIES = 100_000;
const dialects: DialectName[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * Every duplicate rule is an index lookup at a realistic size: 100,000 customers (2,000 surnames
 * × 40 first names, so a common name has dozens of near neighbours), 100,000 companies (ten legal
 * suffixes, each on a tenth of them). The
 * statements EXPLAINed are the ones the routes run, with a custom and with a generic plan.
 */
describe.each(dialects)('duplicate plans at %i rows on %s', (dialect) => {
  let database: TestDatabase;
  let customerId: string;
  let companyId: string;
  let commonName: string;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await sql`
      insert into customer_mgmt_customers (id, name, email, phone, status, tier, created_at, updated_at)
      select gen_random_uuid(),
             (array['Ada','Alan','Anna','Ben','Carla','Chen','Dana','Eli','Emma','Femi','Grace','Hana','Ian','Ines','Jon','Julia',
                    'Kai','Lena','Liam','Maya','Mohamed','Nina','Omar','Olga','Pia','Raj','Rosa','Sam','Sara','Tom','Uma','Vera',
                    'Wei','Xena','Yusuf','Zoe','Hugo','Iris','Noah','Leo'])[1 + g % 40]
               || ' ' || initcap(translate(substr(md5((g % 2000)::text), 1, 7), '0123456789', 'aeiouyrstl')),
             'seeded.' || g || '@example.com',
             case when g % 3 = 0 then '+4420' || lpad(g::text, 8, '0') end,
             'lead', 'free', timestamptz '2025-01-01' + g * interval '1 minute', timestamptz '2025-01-01' + g * interval '1 minute'
      from generate_series(1, ${CUSTOMERS}) as g`.execute(database.db);
    await sql`
      insert into customer_mgmt_companies (id, name, domain, country, website, created_at, updated_at)
      select gen_random_uuid(), initcap(translate(substr(md5('c' || g), 1, 8), '0123456789', 'aeiouyrstl'))
               || (array['', ' Ltd', ' GmbH', ' Inc', ' SA', ' LLC', ' Group', ' Holdings', ' BV', ' Sp. z o.o.'])[1 + g % 10],
             'seeded-' || g || '.example', (array['GB','FR','DE','US','UA'])[1 + g % 5],
             case when g % 2 = 0 then 'https://www.site-' || g || '.example/' end,
             timestamptz '2025-01-01' + g * interval '1 minute', timestamptz '2025-01-01' + g * interval '1 minute'
      from generate_series(1, ${COMPANIES}) as g`.execute(database.db);
    await sql`analyze customer_mgmt_customers`.execute(database.db);
    await sql`analyze customer_mgmt_companies`.execute(database.db);
    await sql`analyze customer_mgmt_company_domains`.execute(database.db);
    customerId = (await sql<{ id: string }>`select id from customer_mgmt_customers where phone is not null limit 1`.execute(database.db))
      .rows[0]!.id;
    companyId = (await sql<{ id: string }>`select id from customer_mgmt_companies where website is not null limit 1`.execute(database.db))
      .rows[0]!.id;
    commonName = (
      await sql<{ name: string }>`select name from customer_mgmt_customers group by name order by count(*) desc, name limit 1`.execute(
        database.db,
      )
    ).rows[0]!.name;
  }, 600_000);
  afterAll(() => database.close());

  async function planOf(statement: RawBuilder<unknown>, generic: boolean): Promise<string> {
    const compiled = statement.compile(database.db);
    const explain = async (text: string) =>
      (await database.db.executeQuery<Record<string, string>>(CompiledQuery.raw(text, [...compiled.parameters]))).rows
        .map((row) => Object.values(row)[0])
        .join('\n');
    if (!generic) return explain(`explain (analyze, costs off) ${compiled.sql}`);
    await sql`set plan_cache_mode = force_generic_plan`.execute(database.db);
    try {
      return await explain(`explain (costs off) ${compiled.sql}`);
    } finally {
      await sql`reset plan_cache_mode`.execute(database.db);
    }
  }

  for (const generic of [false, true]) {
    const mode = generic ? 'generic plan' : 'custom plan';
    it(`GET /customers/{id}/duplicates reads the email, phone and trigram indexes, never the table (${mode})`, async () => {
      const plan = await planOf(duplicateStatements.ofCustomer(customerId, undefined, { limit: 20 }), generic);
      // Email and merged aliases (docs/merge.md): the primary key of the table of live emails and aliases.
      expect(plan).toContain('customer_mgmt_customer_emails_unique');
      expect(plan).not.toMatch(/Seq Scan on customer_mgmt_customer_emails/);
      expect(plan).toContain('idx_customers_phone');
      expect(plan).toContain('idx_customers_name_trgm');
      expect(plan).not.toMatch(/Seq Scan on customer_mgmt_customers/);
    });

    it(`POST /customers/duplicates/search by name reads the trigram index (${mode})`, async () => {
      const probe = { name: 'Grace Hopper', phone: '+442000000003', email: 'nobody@example.com' };
      const plan = await planOf(duplicateStatements.searchCustomers(probe, undefined, { limit: 20 }), generic);
      expect(plan).toContain('idx_customers_name_trgm');
      expect(plan).not.toMatch(/Seq Scan on customer_mgmt_customers/);
    });

    it(`a create's warning walks the (lower(name), id) index and stops after a few entries, however common the name (${mode})`, async () => {
      for (const companyId of [null, '019b6ec4-774c-70e0-9c2c-7ba19630289d']) {
        const row = (column: string) =>
          column === 'name' ? sql`${commonName}` : column === 'company_id' ? sql`cast(${companyId} as uuid)` : sql`cast(null as text)`;
        const plan = await planOf(sql`select ${possibleDuplicatesOfNew(row, undefined)} as duplicates`, generic);
        expect(plan).toContain('idx_customers_name_lower_id');
        expect(plan).not.toMatch(/Seq Scan on customer_mgmt_customers/);
        // The name is held by dozens of customers; each walk reads at most the warning's five.
        const walked = [...plan.matchAll(/Index Scan using idx_customers_name_lower_id .*rows=(\d+)/g)].map((match) => Number(match[1]));
        if (!generic) expect(walked.length > 0 && walked.every((rows) => rows <= 5)).toBe(true);
      }
    });

    it(`GET /companies/{id}/duplicates reads the domain, website-host and trigram indexes (${mode})`, async () => {
      const plan = await planOf(duplicateStatements.ofCompany(companyId, undefined, { limit: 20 }), generic);
      expect(plan).toContain('idx_companies_name_trgm');
      expect(plan).toContain('idx_companies_website_host');
      expect(plan).not.toMatch(/Seq Scan on customer_mgmt_companies/);
      expect(plan).not.toMatch(/Seq Scan on customer_mgmt_company_domains/);
    });
  }
});
