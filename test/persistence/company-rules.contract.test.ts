import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateCompanyDetails } from '../../domain/company/company-commands.js';
import type { NewCompanyInput } from '../../domain/company/create-company.js';
import type { DomainName } from '../../domain/shared/domain-name.js';
import { createCompanyService, type CompanyService } from '../../functions/companies/company-service.js';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { createCustomerService, type CustomerService } from '../../functions/customers/customer-service.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { createCompanyRepository } from '../../functions/companies/company-repository.js';

const createCompanyRepositoryFor = (database: TestDatabase) => createCompanyRepository(database.db);

describe.each(availableDialects())('company rules the database keeps, on %s', (dialect) => {
  let database: TestDatabase;
  let companies: CompanyService;
  let customers: CustomerService;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    companies = createCompanyService({ db: database.db, now: () => new Date(), newId: uuidv7 });
    customers = createCustomerService({ customers: createCustomerRepository(database.db), now: () => new Date(), newId: uuidv7 });
  });
  afterAll(() => database.close());

  async function created(input: NewCompanyInput): Promise<string> {
    const result = await companies.create(input, 'rules-test');
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return result.value.company.id;
  }
  const update = (id: string, input: Parameters<typeof updateCompanyDetails>[0]) =>
    companies.change(id, () => updateCompanyDetails(input), 'rules-test');
  const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error!.code);

  it('one index over every domain and alias: a clash is DOMAIN_TAKEN naming the holder, normalised first', async () => {
    const holder = await created({ name: 'Bücher', domain: 'https://www.Bücher.de/shop', domainAliases: ['buecher.de'] });
    const clashes = [
      { name: 'same domain as URL', domain: 'HTTP://XN--BCHER-KVA.DE:8080/' },
      { name: 'their alias as my domain', domain: 'buecher.de.' },
      { name: 'their domain as my alias', domainAliases: ['other-1.example', 'bücher.de'] },
    ];
    for (const input of clashes) {
      const result = await companies.create(input, 'rules-test');
      expect(result, input.name).toMatchObject({ ok: false, error: { code: 'COMPANY.DOMAIN_TAKEN' } });
      if (!result.ok) expect(result.error.details).toMatchObject({ existing_company_id: holder });
    }
    const other = await created({ name: 'Other', domain: 'other-2.example' });
    const moved = await update(other, { domainAliases: ['buecher.de'] });
    expect(moved).toMatchObject({
      ok: false,
      error: { code: 'COMPANY.DOMAIN_TAKEN', details: { existing_company_id: holder, domains: ['buecher.de'] } },
    });
    expect((await companies.getByDomain('xn--bcher-kva.de' as DomainName)).ok).toBe(true);
    expect(await companies.getByDomain('buecher.de' as DomainName)).toMatchObject({ ok: true, value: { id: holder } });
  });

  it('a deleted company frees its domains and external id; a renamed domain frees the old one', async () => {
    const first = await created({ name: 'First', domain: 'free-me.example', externalId: 'ext-1' });
    expect(codeOf(await companies.create({ name: 'Twin', externalId: 'ext-1' }, 'rules-test'))).toBe('COMPANY.EXTERNAL_ID_TAKEN');
    expect(codeOf(await companies.delete(first, 'rules-test'))).toBe('ok');
    await created({ name: 'Second', domain: 'free-me.example', externalId: 'ext-1' });
    const third = await created({ name: 'Third', domain: 'old-name.example' });
    expect(codeOf(await update(third, { domain: 'new-name.example' }))).toBe('ok');
    await created({ name: 'Fourth', domain: 'old-name.example' });
    expect(codeOf(await companies.getByDomain('old-name.example' as DomainName))).toBe('ok');
  });

  it('the parent must be a live company; a company is never its own ancestor', async () => {
    expect(codeOf(await companies.create({ name: 'Orphan', parentCompanyId: uuidv7() }, 'rules-test'))).toBe('COMPANY.UNKNOWN_PARENT');
    const top = await created({ name: 'Top' });
    const middle = await created({ name: 'Middle', parentCompanyId: top });
    const bottom = await created({ name: 'Bottom', parentCompanyId: middle });
    const cycle = await update(top, { parentCompanyId: bottom });
    expect(cycle).toMatchObject({ ok: false, error: { code: 'COMPANY.HIERARCHY_CYCLE', details: { parent_company_id: bottom } } });
    expect(codeOf(await update(top, { parentCompanyId: top }))).toBe('COMPANY.HIERARCHY_CYCLE');
    expect(codeOf(await companies.delete(middle, 'rules-test'))).toBe('COMPANY.HAS_SUBSIDIARIES');
    expect(codeOf(await update(bottom, { parentCompanyId: null }))).toBe('ok');
    expect(codeOf(await companies.delete(middle, 'rules-test'))).toBe('ok');
    expect(codeOf(await update(bottom, { parentCompanyId: middle }))).toBe('COMPANY.UNKNOWN_PARENT');
  });

  it('a hierarchy has at most 10 levels, counting the subtree that moves with a company', async () => {
    const chain = [await created({ name: 'Level 1' })];
    for (let level = 2; level <= 10; level++) chain.push(await created({ name: `Level ${level}`, parentCompanyId: chain.at(-1)! }));
    expect(codeOf(await companies.create({ name: 'Level 11', parentCompanyId: chain.at(-1)! }, 'rules-test'))).toBe(
      'COMPANY.HIERARCHY_TOO_DEEP',
    );
    const twoLevels = await created({ name: 'Small group' });
    await created({ name: 'Its child', parentCompanyId: twoLevels });
    // Under level 8 the pair ends at level 10; under level 9 it would reach 11.
    expect(codeOf(await update(twoLevels, { parentCompanyId: chain[8]! }))).toBe('COMPANY.HIERARCHY_TOO_DEEP');
    expect(codeOf(await update(twoLevels, { parentCompanyId: chain[7]! }))).toBe('ok');
  });

  it('two requests that each close half of a cycle: at most one wins', async () => {
    for (let round = 0; round < 10; round++) {
      const a = await created({ name: `A${round}` });
      const b = await created({ name: `B${round}` });
      const outcomes = await Promise.all([update(a, { parentCompanyId: b }), update(b, { parentCompanyId: a })]);
      const codes = outcomes.map(codeOf).sort();
      expect(codes).toEqual(['COMPANY.HIERARCHY_CYCLE', 'ok']);
      const [left, right] = await Promise.all([companies.get(a), companies.get(b)]);
      const parents = [left.ok && left.value.parentCompanyId, right.ok && right.value.parentCompanyId].filter(Boolean);
      expect(parents).toHaveLength(1);
    }
  });

  it('two requests that claim one domain at once: exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const domain = `race-${round}.example`;
      const outcomes = await Promise.all([
        companies.create({ name: 'Left', domain }, 'rules-test'),
        companies.create({ name: 'Right', domainAliases: [domain] }, 'rules-test'),
      ]);
      expect(outcomes.map(codeOf).sort()).toEqual(['COMPANY.DOMAIN_TAKEN', 'ok']);
    }
  });

  const contact = (companyId: string, label: string) =>
    customers.create({ name: `Contact ${label}`, email: `contact.${label}.${uuidv7().slice(-8)}@example.com`, companyId }, 'rules-test');

  it('a customer names only a live company: 422 UNKNOWN_COMPANY for a missing or deleted one, on create and on change', async () => {
    expect(codeOf(await contact(uuidv7(), 'missing'))).toBe('CUSTOMER.UNKNOWN_COMPANY');
    const gone = await created({ name: 'Gone' });
    expect(codeOf(await companies.delete(gone, 'rules-test'))).toBe('ok');
    expect(codeOf(await contact(gone, 'gone'))).toBe('CUSTOMER.UNKNOWN_COMPANY');
    const live = await created({ name: 'Live' });
    const person = await contact(live, 'live');
    expect(codeOf(person)).toBe('ok');
    if (!person.ok) return;
    const { updateDetails } = await import('../../domain/customer/customer-commands.js');
    const moved = await customers.change(person.value.customer.id, () => updateDetails({ companyId: gone }), 'rules-test');
    expect(moved).toMatchObject({ ok: false, error: { code: 'CUSTOMER.UNKNOWN_COMPANY', details: { company_id: gone } } });
  });

  it('race: contacts created while the company is deleted — it is never deleted with a live contact', async () => {
    for (let round = 0; round < 4; round++) {
      const target = await created({ name: `Raced ${round}` });
      const detach = round % 2 === 1;
      const [deleted, ...added] = await Promise.all([
        companies.delete(target, 'rules-test', { detachContacts: detach }),
        ...[1, 2, 3, 4].map((n) => contact(target, `${round}-${n}`)),
      ]);
      const { contacts } = await createCompanyRepositoryFor(database).dependents(target);
      if (deleted.ok) {
        expect(contacts, `round ${round}: deleted with live contacts`).toBe(0);
        expect(codeOf(await companies.get(target))).toBe('COMPANY.NOT_FOUND');
      } else {
        expect(deleted.error.code).toBe('COMPANY.HAS_CONTACTS');
        expect(contacts).toBe(added.filter((outcome) => outcome.ok).length);
      }
      for (const outcome of added) expect(['ok', 'CUSTOMER.UNKNOWN_COMPANY']).toContain(codeOf(outcome));
    }
  });
});
