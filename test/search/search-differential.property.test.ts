import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import { ARITY, OPERATORS_BY_TYPE, TOKEN_PATTERN, type Operator } from '../../domain/shared/search.js';
import { COMPANY_SEARCH } from '../../functions/companies/company-search.js';
import { CUSTOMER_SEARCH } from '../../functions/customers/customer-search.js';
import { INTERACTION_SEARCH } from '../../functions/interactions/interaction-search.js';
import { DEAL_SEARCH } from '../../functions/deals/deal-search.js';
import { searchRequestSchema } from '../../functions/search/search-request.js';
import { sortableProperties, type SearchableObject, type SearchProperty } from '../../functions/search/searchable-object.js';
import { BASE, claimsFor, createApiHarness, type ApiHarness } from '../support/api-harness.js';
import { evaluateSearch, type EvaluatedRecord } from '../support/search-evaluator.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const REP = '019b6ec4-774c-70e0-9c2c-7ba19630289d';
const OTHER_REP = '019b6ec4-774c-70e0-9c2c-7ba1963028aa';
const RUNS = Number(process.env.SEARCH_DIFFERENTIAL_RUNS ?? 80);

// Small pools, so that filters hit, values tie (sorts need their tiebreak) and text needs escaping.
const FIRST = ['Ada', 'ada', 'Zed', 'Alan', 'Grace', 'Bob_x', '100%', 'O', 'Kat'];
const LAST = ['Lovelace', 'Hopper', 'Neil', 'Shaw', 'de la Cruz', 'x'];
const DOMAINS = ['acme.example', 'navy.example', 'a-b.example'];
const TAGS = ['vip', 'b2b', 'nasa', 'churn-risk', 'x_1'];
const TIMES = [
  '2026-01-01T00:00:00.000Z',
  '2026-01-01T00:00:00.500Z',
  '2026-02-15T12:30:00.000Z',
  '2026-03-01T09:00:00.123Z',
  '2027-06-30T23:59:59.999Z',
];
const DATES = ['2026-01-01', '2026-02-28', '2026-12-31', '2027-06-30'];
const AMOUNTS = [0, 100, 5_000, 5_000, 99_999];
const CURRENCIES = ['EUR', 'USD', 'GBP'];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null, freq: 3 });
const tagSet = fc.subarray(TAGS);

const customerRecord = fc
  .record({
    id: fc.uuid({ version: 4 }),
    first: pick(FIRST),
    last: pick(LAST),
    domain: pick(DOMAINS),
    phone: maybe(pick(['+442079460958', '+380123456789'])),
    status: pick(['lead', 'prospect', 'customer', 'churned']),
    tier: pick(['free', 'basic', 'pro', 'enterprise']),
    source: pick(['website', 'referral', 'cold-call']),
    assigned_to: maybe(pick([REP, OTHER_REP])),
    tags: tagSet,
    orders_count: fc.integer({ min: 0, max: 4 }),
    created_at: pick(TIMES),
    last_order_at: maybe(pick(TIMES)),
    version: fc.integer({ min: 1, max: 3 }),
    external: fc.boolean(),
  })
  .map(({ first, last, domain, external, ...rest }) => ({
    ...rest,
    // External ids are unique among live customers; mixed case, as they are compared exactly.
    external_id: external ? `Shop-${rest.id.slice(0, 8)}` : null,
    name: `${first} ${last}`,
    email: `${first.toLowerCase().replace(/[^a-z0-9]/g, '')}.${rest.id.slice(0, 8)}@${domain}`,
    updated_at: rest.created_at,
    churned_at: rest.status === 'churned' ? rest.created_at : null,
  }));

const dealRecord = (customerIds: readonly string[]) =>
  fc
    .record({
      id: fc.uuid({ version: 4 }),
      name: fc.tuple(pick(FIRST), pick(['renewal', 'Fleet deal', 'pilot'])).map(([a, b]) => `${a} ${b}`),
      stage: pick(['qualification', 'needs_analysis', 'proposal', 'negotiation']),
      amount_minor: maybe(pick(AMOUNTS)),
      currency: pick(CURRENCIES),
      expected_close_date: maybe(pick(DATES)),
      primary_customer_id: pick(customerIds),
      owner_id: maybe(pick([REP, OTHER_REP])),
      tags: tagSet,
      source: pick(['unknown', 'web']),
      created_at: pick(TIMES),
      version: fc.integer({ min: 1, max: 3 }),
    })
    .map((deal) => ({
      ...deal,
      pipeline_id: DEFAULT_PIPELINE_ID,
      status: 'open',
      stage_entered_at: deal.created_at,
      updated_at: deal.created_at,
    }));

const companyRecord = fc
  .record({
    id: fc.uuid({ version: 4 }),
    name: fc.tuple(pick(FIRST), pick(['Ltd', 'GmbH', 'Labs', 'de la Cruz'])).map(([a, b]) => `${a} ${b}`),
    domain: maybe(pick(['acme', 'navy', 'a-b'])),
    industry: maybe(pick(['software', 'financial-services', 'retail'])),
    size_band: maybe(pick(['1-10', '11-50', '5001+'])),
    country: maybe(pick(['GB', 'DE', 'UA'])),
    owner_id: maybe(pick([REP, OTHER_REP])),
    tags: tagSet,
    external: fc.boolean(),
    version: fc.integer({ min: 1, max: 3 }),
    created_at: pick(TIMES),
  })
  .map(({ external, ...company }) => ({
    ...company,
    // Domains and external ids are unique among live companies.
    domain: company.domain && `${company.domain}-${company.id}.example`,
    external_id: external ? `crm-${company.id}` : null,
    updated_at: company.created_at,
  }));

const SUBJECTS = ['Renewal call', 'renewal', 'Call about 100% discount', 'Kick-off: ACME', 'x_1 follow up'];
const interactionRecord = fc
  .record({
    id: fc.uuid({ version: 4 }),
    type: pick(['call', 'email', 'meeting', 'note']),
    inbound: fc.boolean(),
    duration: maybe(fc.integer({ min: 0, max: 3600 })),
    subject: maybe(pick(SUBJECTS)),
    body: maybe(pick(['Talked about the renewal', 'ACME wants a pilot', 'nothing'])),
    owner_id: pick([REP, OTHER_REP]),
    source: pick(['manual', 'email_sync', 'import']),
    external: fc.boolean(),
    occurred_at: pick(TIMES),
    version: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ inbound, duration, external, ...interaction }) => ({
    ...interaction,
    // What each type allows (the table's type_fields check).
    direction: interaction.type === 'call' || interaction.type === 'email' ? (inbound ? 'inbound' : 'outbound') : null,
    duration_s: interaction.type === 'call' || interaction.type === 'meeting' ? duration : null,
    outcome:
      interaction.type === 'call'
        ? inbound
          ? 'connected'
          : null
        : interaction.type === 'meeting'
          ? inbound
            ? 'completed'
            : 'no_show'
          : null,
    external_id: external ? `ext-${interaction.id}` : null,
    links: {},
    created_at: interaction.occurred_at,
    updated_at: interaction.occurred_at,
  }));

/** The records as one insert (jsonb_to_recordset: one parameter on every dialect, the Data API's too). */
async function insertAll(database: TestDatabase, table: string, columns: Record<string, string>, records: readonly object[]) {
  const list = Object.keys(columns);
  const definition = list.map((column) => `${column} ${columns[column]}`).join(', ');
  await sql`insert into ${sql.table(table)} (${sql.raw(list.join(', '))})
    select ${sql.raw(list.join(', '))} from jsonb_to_recordset(cast(${JSON.stringify(records)} as jsonb)) as r(${sql.raw(definition)})`.execute(
    database.db,
  );
}

/** A value of the property's type, mostly one the data holds, sometimes one it does not. */
function valueFor(property: SearchProperty, operator: Operator, records: readonly EvaluatedRecord[]): fc.Arbitrary<unknown> {
  const held = records.map((record) => record[property.column]).filter((value) => value !== null && value !== undefined);
  const fromData = <T>(map: (value: any) => T, extra: readonly T[]) => pick([...held.map(map), ...extra]);
  switch (property.type) {
    case 'string':
      if (operator === 'contains_token' || operator === 'not_contains_token') {
        const words = held.flatMap((value) => String(value).split(/[^\p{L}\p{N}_]+/u)).filter((word) => TOKEN_PATTERN.test(word));
        return pick([...words, 'ACME', 'nothing']);
      }
      if (operator === 'starts_with') return fromData((value) => String(value).slice(0, 1 + (String(value).length % 3)), ['%', '_', 'zz']);
      return fromData((value) => String(value), ['nobody', 'ADA.x@ACME.EXAMPLE']);
    case 'number':
      return fromData((value) => Number(value), [-1, 1.5, 3]);
    case 'date':
      return pick([...DATES, '2025-12-31']);
    case 'datetime':
      return pick([...TIMES, '2026-01-01', '2026-02-15T13:30:00+01:00']);
    case 'enum':
      return pick(property.values!);
    case 'uuid':
      return fromData((value) => String(value), [REP, '00000000-0000-4000-8000-000000000000']);
    case 'array':
      return pick([...TAGS, 'none']);
    case 'money':
      return fc.record({ amount_minor: pick(AMOUNTS), currency: pick(CURRENCIES) });
  }
}

function filterFor(object: SearchableObject<any>, records: readonly EvaluatedRecord[]) {
  return pick(Object.keys(object.properties)).chain((name) => {
    const property = object.properties[name]!;
    return pick(OPERATORS_BY_TYPE[property.type]).chain((operator) => {
      const value = valueFor(property, operator, records);
      const arity = ARITY[operator];
      const fields =
        arity === 'one'
          ? fc.record({ value })
          : arity === 'two'
            ? property.type === 'money'
              ? fc.tuple(pick(AMOUNTS), pick(AMOUNTS), pick(CURRENCIES)).map(([a, b, currency]) => ({
                  value: { amount_minor: Math.min(a, b), currency },
                  high_value: { amount_minor: Math.max(a, b), currency },
                }))
              : fc.record({ value, high_value: value })
            : arity === 'list'
              ? fc.record({ values: fc.array(value, { minLength: 1, maxLength: 3 }) })
              : fc.constant({});
      return fields.map((extra) => ({ property: name, operator, ...extra }));
    });
  });
}

function searchFor(object: SearchableObject<any>, records: readonly EvaluatedRecord[]) {
  const sortable = sortableProperties(object);
  return fc.record({
    filter_groups: fc.array(fc.record({ filters: fc.array(filterFor(object, records), { minLength: 1, maxLength: 3 }) }), { maxLength: 3 }),
    query: fc.option(pick(['a', 'ACME', 'ada lovelace', 'x', '100%', 'b_x', 'de la']), { nil: undefined }),
    sorts: fc.uniqueArray(fc.record({ property: pick(sortable), direction: pick(['asc', 'desc'] as const) }), {
      maxLength: 3,
      selector: (sort) => sort.property,
    }),
    limit: fc.integer({ min: 1, max: 12 }),
    asRep: fc.boolean(),
  });
}

describe.each(availableDialects())('search answers what the grammar says, on %s (differential, property-based)', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const customers: EvaluatedRecord[] = [];
  const deals: EvaluatedRecord[] = [];
  const companies: EvaluatedRecord[] = [];
  const interactions: EvaluatedRecord[] = [];
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    const firms = fc.sample(companyRecord, { numRuns: 40, seed: 20 });
    await insertAll(
      database,
      'customer_mgmt_companies',
      {
        id: 'uuid',
        name: 'text',
        domain: 'text',
        industry: 'text',
        size_band: 'text',
        country: 'text',
        owner_id: 'uuid',
        tags: 'jsonb',
        external_id: 'text',
        version: 'integer',
        created_at: 'timestamptz',
        updated_at: 'timestamptz',
      },
      firms,
    );
    companies.push(...(firms as unknown as EvaluatedRecord[]));
    // A third of the customers are contacts of a company (a rep then also sees that company).
    const people = fc
      .sample(customerRecord, { numRuns: 60, seed: 18 })
      .map((person, index) => ({ ...person, company_id: index % 3 === 0 ? firms[index % firms.length]!.id : null }));
    await insertAll(
      database,
      'customer_mgmt_customers',
      {
        id: 'uuid',
        name: 'text',
        email: 'text',
        phone: 'text',
        status: 'text',
        tier: 'text',
        source: 'text',
        assigned_to: 'uuid',
        company_id: 'uuid',
        external_id: 'text',
        tags: 'jsonb',
        orders_count: 'integer',
        created_at: 'timestamptz',
        updated_at: 'timestamptz',
        churned_at: 'timestamptz',
        last_order_at: 'timestamptz',
        version: 'integer',
      },
      people,
    );
    customers.push(...(people as unknown as EvaluatedRecord[]));
    const sales = fc.sample(dealRecord(people.map((person) => person.id)), { numRuns: 60, seed: 19 });
    await insertAll(
      database,
      'customer_mgmt_deals',
      {
        id: 'uuid',
        name: 'text',
        pipeline_id: 'uuid',
        stage: 'text',
        status: 'text',
        amount_minor: 'bigint',
        currency: 'text',
        expected_close_date: 'date',
        primary_customer_id: 'uuid',
        owner_id: 'uuid',
        tags: 'jsonb',
        source: 'text',
        stage_entered_at: 'timestamptz',
        created_at: 'timestamptz',
        updated_at: 'timestamptz',
        version: 'integer',
      },
      sales,
    );
    deals.push(...(sales as unknown as EvaluatedRecord[]));
    const logged = fc.sample(interactionRecord, { numRuns: 50, seed: 21 });
    await insertAll(
      database,
      'customer_mgmt_interactions',
      {
        id: 'uuid',
        type: 'text',
        occurred_at: 'timestamptz',
        direction: 'text',
        subject: 'text',
        body: 'text',
        duration_s: 'integer',
        outcome: 'text',
        links: 'jsonb',
        owner_id: 'uuid',
        source: 'text',
        external_id: 'text',
        version: 'integer',
        created_at: 'timestamptz',
        updated_at: 'timestamptz',
      },
      logged,
    );
    interactions.push(...(logged as unknown as EvaluatedRecord[]));
  }, 60_000);
  afterAll(() => database.close());

  // What a sales rep sees of each object (the list routes' scopes, written from access-control.md).
  const ownedBy = (column: string) => (record: EvaluatedRecord) => record[column] === REP;
  const companySeen = (company: EvaluatedRecord) =>
    company.owner_id === REP || customers.some((customer) => customer.company_id === company.id && customer.assigned_to === REP);
  const cases: [string, SearchableObject<any>, () => EvaluatedRecord[], (record: EvaluatedRecord) => boolean][] = [
    ['customers', CUSTOMER_SEARCH, () => customers, ownedBy('assigned_to')],
    ['companies', COMPANY_SEARCH, () => companies, companySeen],
    ['deals', DEAL_SEARCH, () => deals, ownedBy('owner_id')],
    // These interactions link nothing, so a rep sees the ones they own (linked ones: interactions.api.test.ts).
    ['interactions', INTERACTION_SEARCH, () => interactions, ownedBy('owner_id')],
  ];

  it.each(cases)(
    '%s: every page, in order, and the count',
    async (_name, object, records, seenByRep) => {
      const schema = searchRequestSchema(object);
      // Guards that the property tests something: most searches valid, many with matches, some over several pages.
      const counts = { valid: 0, matched: 0, paged: 0 };
      await fc.assert(
        fc.asyncProperty(searchFor(object, records()), async ({ asRep, ...body }) => {
          const parsed = schema.safeParse(body);
          // A generated value the grammar refuses (e.g. a forbidden combination) is a 400 the API must agree on.
          const visible = asRep ? records().filter(seenByRep) : records();
          const expected = parsed.success ? evaluateSearch(object, parsed.data.search, visible) : null;
          const claims = asRep ? claimsFor(['sales_rep'], REP) : undefined;
          const seen: string[] = [];
          let after: string | null = null;
          let total: number | undefined;
          for (let page = 0; page < 100; page++) {
            const response = await api.call({
              method: 'POST',
              path: `${BASE}/${object.name}/search`,
              body: { ...body, count: page === 0, ...(after && { after }) },
              ...(claims && { claims }),
            });
            if (expected === null) {
              expect(response.status).toBe(400);
              return;
            }
            expect(response.status, JSON.stringify(response.body)).toBe(200);
            if (page === 0) total = response.body.pagination.total;
            seen.push(...response.body.data.map((item: { id: string }) => item.id));
            after = response.body.pagination.next_cursor;
            if (!after) break;
          }
          expect(seen).toEqual(expected);
          expect(total).toBe(expected!.length);
          counts.valid++;
          if (seen.length > 0) counts.matched++;
          if (seen.length > body.limit) counts.paged++;
        }),
        { numRuns: RUNS, seed: dialect.length * 1000 + 18 },
      );
      if (process.env.SEARCH_STATS) console.log(object.name, counts);
      expect(counts.valid).toBeGreaterThan(RUNS * 0.6);
      expect(counts.matched).toBeGreaterThan(RUNS * 0.3);
      expect(counts.paged).toBeGreaterThan(RUNS * 0.1);
    },
    300_000,
  );
});
