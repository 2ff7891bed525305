import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as commands from '../../domain/customer/customer-commands.js';
import { CUSTOMER_INSIGHT_EVENT_TYPES } from '../../domain/analytics/customer-insight.events.js';
import { CUSTOMER_EVENT_TYPES, type CustomerEvent } from '../../domain/customer/customer.events.js';
import { DEAL_EVENT_TYPES } from '../../domain/deal/deal.events.js';
import { PIPELINE_EVENT_TYPES } from '../../domain/pipeline/pipeline.events.js';
import { COMPANY_EVENT_TYPES } from '../../domain/company/company.events.js';
import * as companyCommands from '../../domain/company/company-commands.js';
import { INTERACTION_EVENT_TYPES } from '../../domain/interaction/interaction.events.js';
import { EVENT_CATALOGUE } from '../../functions/event-catalogue.js';
import { CUSTOMER_EXPORT_EVENT_TYPES } from '../../functions/privacy/privacy-event-contracts.js';
import { COMPANY_MERGE_EVENT_TYPES, CUSTOMER_MERGE_EVENT_TYPES } from '../../functions/merge/merge-event-contracts.js';
import { checkedDetail } from '../../functions/events/event-envelope.js';
import { readEventLog } from '../../functions/events/event-log.js';
import { committedSchemaFiles, schemaFiles, SCHEMAS_DIR } from '../../functions/events/export-schemas.js';
import { createServices } from '../../functions/services.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { aCompany } from '../support/company-fixtures.js';
import { tierChanged } from './event-test-kit.js';

describe('the event catalogue', () => {
  it('has a contract for every event type', () => {
    const types = [
      ...CUSTOMER_EVENT_TYPES,
      ...COMPANY_EVENT_TYPES,
      ...PIPELINE_EVENT_TYPES,
      ...DEAL_EVENT_TYPES,
      ...INTERACTION_EVENT_TYPES,
      ...CUSTOMER_INSIGHT_EVENT_TYPES,
      ...CUSTOMER_EXPORT_EVENT_TYPES,
      ...CUSTOMER_MERGE_EVENT_TYPES,
      ...COMPANY_MERGE_EVENT_TYPES,
    ];
    for (const type of types) expect(EVENT_CATALOGUE.contractFor(type, 1), type).toBeDefined();
    expect(Object.keys(EVENT_CATALOGUE.contracts).sort()).toEqual(types.map((type) => `${type}.v1`).sort());
  });

  it('matches the committed JSON Schema files (run `npm run events:schemas` after changing a contract)', () => {
    const generated = schemaFiles();
    const committed = Object.fromEntries(committedSchemaFiles().map((name) => [name, readFileSync(join(SCHEMAS_DIR, name), 'utf8')]));

    expect(Object.keys(committed).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, content] of Object.entries(generated)) expect(committed[name], name).toBe(content);
  });

  it('is documented: docs/events.md has a row for every contract, linking its schema file', () => {
    const doc = readFileSync('docs/events.md', 'utf8');
    for (const [key, aggregate] of Object.entries(EVENT_CATALOGUE.aggregateOf)) {
      const [type, version] = key.split('.v');
      expect(doc, key).toContain(`| \`${type}\` | ${version} | [\`${key}.json\`](../functions/events/schemas/${aggregate}/${key}.json) |`);
    }
  });

  it.each([
    ['an unknown tier', { data: { changes: { tier: { from: 'free', to: 'platinum' } } } }, 'data.changes.tier.to'],
    [
      'a field the event does not carry',
      { data: { changes: { tier: { from: 'free', to: 'pro' }, name: { from: 'a', to: 'b' } } } },
      'data.changes',
    ],
    ['no changes', { data: {} }, 'data.changes'],
    ['a customer id that is not a UUID', { aggregateId: 'customer-1' }, 'customer_id'],
    ['a timestamp without a zone', { occurredAt: '2026-11-26 10:00:00' }, 'occurred_at'],
    ['an unknown version', { eventVersion: 7 }, 'no contract CustomerTierChanged.v7'],
  ] as const)('rejects %s', (_case, overrides, problem) => {
    const checked = checkedDetail(
      tierChanged('01a21628-e223-7bd2-9a3f-6e1b6da6229b', 2, overrides as Partial<CustomerEvent>),
      EVENT_CATALOGUE,
    );

    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problem).toContain(problem);
  });

  it('pins transitions to the lifecycle: a CustomerQualified must go lead → prospect', () => {
    const event = tierChanged('01a21628-e223-7bd2-9a3f-6e1b6da6229b', 2, {
      type: 'CustomerQualified',
      data: { changes: { status: { from: 'prospect', to: 'customer' } } },
    });

    expect(checkedDetail(event, EVENT_CATALOGUE).ok).toBe(false);
  });
});

describe.each(availableDialects())('every event the service writes honours its contract on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.close());

  it('through the whole lifecycle and every kind of change', async () => {
    const { customers, salesReps } = createServices(database.db);
    const actor = '019b6ec4-0000-7000-8000-00000000ad31';
    await aCompany(database.db, 'Contract Company', '019b6ec4-0000-7000-8000-000000000888');
    const rep = '019b6ec4-774c-70e0-9c2c-7ba19630289d';
    // Customers are assigned only to active sales reps (the write statement checks the directory).
    await salesReps.upsert({ userId: rep, active: true, at: '2026-01-01T00:00:00.000Z' });
    const created = await customers.create(
      {
        name: 'Ada Lovelace',
        email: 'ada.contracts@example.com',
        phone: '+380123456789',
        source: 'website',
        tier: 'basic',
        userId: '019b6ec4-0000-7000-8000-000000000777',
        tags: ['vip'],
      },
      actor,
    );
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.customer.id;
    const steps = [
      commands.updateDetails({ name: 'Ada King', email: 'ada.king@example.com', phone: null, source: 'referral' }),
      commands.updateDetails({ userId: null, companyId: '019b6ec4-0000-7000-8000-000000000888' }),
    ];
    for (const step of steps) {
      if (!step.ok) throw new Error(step.error.message);
      expect((await customers.change(id, () => step.value, actor)).ok).toBe(true);
    }
    const tags = commands.replaceTags(['emea', 'vip', 'high-value']);
    if (!tags.ok) throw new Error(tags.error.message);
    for (const build of [
      () => commands.assign(rep),
      () => commands.assign(null),
      () => commands.changeTier('enterprise'),
      () => tags.value,
      (now: string) => commands.transition('qualify', now),
      (now: string) => commands.transition('convert', now),
      (now: string) => commands.transition('churn', now, { reason: 'moved to a competitor' }),
      (now: string) => commands.transition('reactivate', now),
      (now: string) => commands.deleteCustomer(now),
    ]) {
      expect((await customers.change(id, build, actor)).ok).toBe(true);
    }

    const page = await readEventLog(database.db, { limit: 100 });
    if (page.kind !== 'page') throw new Error('no page');
    const logged = page.events.filter(({ event }) => event.aggregateId === id).map(({ event }) => event);

    expect(logged.map((event) => event.type)).toEqual([
      'CustomerCreated',
      'CustomerUpdated',
      'CustomerUpdated',
      'CustomerAssigned',
      'CustomerAssigned',
      'CustomerTierChanged',
      'CustomerTagsChanged',
      'CustomerQualified',
      'CustomerConverted',
      'CustomerChurned',
      'CustomerReactivated',
      'CustomerDeleted',
    ]);
    for (const event of logged) {
      const checked = checkedDetail(event, EVENT_CATALOGUE);
      expect(checked.ok ? 'ok' : checked.problem, event.type).toBe('ok');
    }
  });

  it('through every kind of company change', async () => {
    const { companies } = createServices(database.db);
    const actor = '019b6ec4-0000-7000-8000-00000000ad31';
    const parent = await aCompany(database.db, 'Contract Group');
    const created = await companies.create(
      { name: 'Acme', domain: 'https://www.acme-contract.example', domainAliases: ['acme-contract.co.uk'], sizeBand: '11-50', tags: ['x'] },
      actor,
    );
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.company.id;
    const details = companyCommands.updateCompanyDetails({
      name: 'Acme Ltd',
      domain: null,
      domainAliases: [],
      industry: 'software',
      sizeBand: '5001+',
      country: 'gb',
      phone: '+44 20 7946 0958',
      website: 'acme-contract.example',
      parentCompanyId: parent,
      externalId: 'crm-1',
    });
    const tags = companyCommands.replaceCompanyTags(['emea', 'vip']);
    if (!details.ok || !tags.ok) throw new Error('command refused');
    for (const build of [
      () => details.value,
      () => companyCommands.assignCompany('019b6ec4-774c-70e0-9c2c-7ba19630289d'),
      () => tags.value,
      (now: string) => companyCommands.deleteCompany(now),
    ]) {
      expect((await companies.change(id, build, actor)).ok).toBe(true);
    }
    const page = await readEventLog(database.db, { limit: 100 });
    if (page.kind !== 'page') throw new Error('no page');
    const logged = page.events.filter(({ event }) => event.aggregateId === id).map(({ event }) => event);
    expect(logged.map((event) => event.type)).toEqual([
      'CompanyCreated',
      'CompanyUpdated',
      'CompanyAssigned',
      'CompanyTagsChanged',
      'CompanyDeleted',
    ]);
    for (const event of logged) {
      const checked = checkedDetail(event, EVENT_CATALOGUE);
      expect(checked.ok ? 'ok' : checked.problem, event.type).toBe('ok');
    }
  });
});
