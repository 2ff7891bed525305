import type pg from 'pg';
import type { HttpRequest } from './load.js';
import { SALES_REP_COUNT, seedCustomers, TAG_VOCABULARY } from './seed.js';

export const BASE = '/api/v1/customer-mgmt';

/** What the scenarios draw their requests from; built once per run from the seeded database. */
export interface Fixtures {
  /** Random live customers (ids and their emails, same order). */
  readonly ids: readonly string[];
  readonly emails: readonly string[];
  /** Tags the list scenarios filter by, from the most common to rare ones. */
  readonly listTags: readonly string[];
  /** `next_cursor` values that lead to page 50 of several listings (query without the cursor, cursor). */
  readonly page50: readonly { readonly query: string; readonly cursor: string }[];
  /** Leads nobody has qualified yet: every qualify request takes one. */
  readonly leads: LeadPool;
  /** Random live companies, and companies with about 200 live contacts (for the summary). */
  readonly companyIds: readonly string[];
  readonly summaryCompanies: readonly string[];
}

/**
 * Leads for the qualify requests: each id is handed out once, so every request hits a fresh
 * lead. The pool is topped up between runs (`ensure`) with new leads written in bulk.
 */
export class LeadPool {
  private queue: string[] = [];
  private position = 0;
  private readonly handedOut = new Set<string>();
  private batches = 0;
  /** Requests that found the pool empty (they hit a missing id and count as errors). */
  exhausted = 0;

  constructor(private readonly client: pg.ClientBase) {}

  get remaining(): number {
    return this.queue.length - this.position;
  }

  take(): string | undefined {
    const id = this.queue[this.position];
    if (id === undefined) {
      this.exhausted++;
      return undefined;
    }
    this.position++;
    this.handedOut.add(id);
    return id;
  }

  /** Makes sure at least `needed` leads are queued, writing new ones when the database has too few. */
  async ensure(needed: number): Promise<void> {
    if (this.remaining >= needed) return;
    await this.reload();
    if (this.remaining >= needed) return;
    const missing = Math.ceil((needed - this.remaining) * 1.1);
    this.batches++;
    await seedCustomers(this.client, { count: missing, batch: `lead${this.batches}.`, leadsOnly: true, seed: this.batches / 100 });
    await this.client.query('analyze customer_mgmt_customers');
    await this.reload();
  }

  private async reload(): Promise<void> {
    const { rows } = await this.client.query<{ id: string }>(
      `select id from customer_mgmt_customers where status = 'lead' and deleted_at is null order by md5(id::text)`,
    );
    this.queue = rows.map((row) => row.id).filter((id) => !this.handedOut.has(id));
    this.position = 0;
  }
}

/** Loads ids and emails, and walks 49 pages of four listings over HTTP to get page-50 cursors. */
export async function loadFixtures(client: pg.ClientBase, api: { url: string; token: string }): Promise<Fixtures> {
  const { rows } = await client.query<{ id: string; email: string }>(
    `select id, email from customer_mgmt_customers where deleted_at is null order by md5(id::text) limit 20000`,
  );
  const listTags = [0, 1, 2, 4, 8, 15, 25, 39].map((index) => TAG_VOCABULARY[index]!);
  const listings = ['limit=20', `tag=${TAG_VOCABULARY[0]}&limit=20`, 'status=customer&limit=20', 'sort=name&limit=20'];
  const page50: { query: string; cursor: string }[] = [];
  for (const query of listings) {
    let cursor: string | null = null;
    for (let page = 1; page < 50; page++) {
      const response = await fetch(`${api.url}${BASE}/customers?${query}${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: { authorization: `Bearer ${api.token}` },
      });
      if (response.status !== 200) throw new Error(`listing ${query} page ${page} answered ${response.status}: ${await response.text()}`);
      const body = (await response.json()) as { pagination: { next_cursor: string | null } };
      cursor = body.pagination.next_cursor;
      if (!cursor) throw new Error(`listing ${query} has fewer than 50 pages`);
    }
    page50.push({ query, cursor: cursor! });
  }
  const companies = await client.query<{ id: string }>(
    `select id from customer_mgmt_companies where deleted_at is null order by md5(id::text) limit 20000`,
  );
  // The seed links contacts to companies 1..3,000 skewed, so some have about 200 of them.
  const summary = await client.query<{ company_id: string; contacts: number }>(
    `select company_id, count(*)::int as contacts from customer_mgmt_customers
      where company_id is not null and deleted_at is null
      group by company_id order by abs(count(*) - 200), company_id limit 10`,
  );
  return {
    ids: rows.map((row) => row.id),
    emails: rows.map((row) => row.email),
    listTags,
    page50,
    leads: new LeadPool(client),
    companyIds: companies.rows.map((row) => row.id),
    summaryCompanies: summary.rows.map((row) => row.company_id),
  };
}

export type ScenarioKind = 'read' | 'write' | 'mixed';

export interface Scenario {
  readonly name: string;
  /** Which raw figure the ratio is taken against: select for reads, insert for writes, a blend for mixed. */
  readonly kind: ScenarioKind;
  /** Qualify requests per request (for sizing the lead pool). */
  readonly leadsPerRequest: number;
  /** A request generator for one run; `label` keeps created emails unique across runs. */
  requests(fixtures: Fixtures, label: string): () => HttpRequest;
}

const FIRST = ['Olena', 'James', 'Sofia', 'Wei', 'Aarav', 'Lukas', 'Fatima', 'Mateo', 'Yuki', 'Chloe'];
const LAST = ['Kovalenko', 'Smith', 'Garcia', 'Chen', 'Sharma', 'Muller', 'Haddad', 'Rossi', 'Sato', 'Dubois'];
const SOURCES = ['website', 'referral', 'google_ads', 'linkedin', 'event'];
const TIERS = ['free', 'free', 'basic', 'pro', 'enterprise'];

/** Deterministic numbers in [0, 1) from n (golden-ratio sequence). */
const spread = (n: number, salt: number) => ((n + salt) * 0.6180339887498949) % 1;

/**
 * The seed's tag distribution (seed.ts), so that new customers do not change what the list
 * scenarios find: 0–4 tags (25/30/25/12/8 %), Zipf-picked from the 40-tag vocabulary.
 */
function tagsFor(n: number): string[] {
  const r = spread(n, 7);
  const count = r < 0.25 ? 0 : r < 0.55 ? 1 : r < 0.8 ? 2 : r < 0.92 ? 3 : 4;
  const tags = new Set<string>();
  for (let k = 0; k < count; k++) tags.add(TAG_VOCABULARY[Math.floor(spread(n * 5 + k, 13 + k) ** 2.2 * TAG_VOCABULARY.length)]!);
  return [...tags];
}

/** A realistic create body with a unique email. */
function createBody(label: string, n: number): Record<string, unknown> {
  const first = FIRST[n % FIRST.length]!;
  const last = LAST[Math.floor(n / FIRST.length) % LAST.length]!;
  const body: Record<string, unknown> = {
    name: `${first} ${last}`,
    email: `${first}.${last}.${label}.${n}@example.com`.toLowerCase(),
    source: SOURCES[n % SOURCES.length],
    tier: TIERS[n % TIERS.length],
  };
  if (n % 5 !== 0) body.phone = `+380 50 ${String(1000000 + (n % 8999999)).slice(0, 3)} ${String(n % 10000).padStart(4, '0')}`;
  const tags = tagsFor(n);
  if (tags.length > 0) body.tags = tags;
  return body;
}

const at = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

/** A request for a lead that does not exist: what a qualify gets when the pool ran dry (counted as an error). */
const NO_LEAD = '00000000-0000-7000-8000-000000000000';

function qualify(fixtures: Fixtures): HttpRequest {
  return { method: 'POST', path: `${BASE}/customers/${fixtures.leads.take() ?? NO_LEAD}/qualify` };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'create',
    kind: 'write',
    leadsPerRequest: 0,
    requests: (_fixtures, label) => {
      let n = 0;
      return () => ({ method: 'POST', path: `${BASE}/customers`, body: createBody(label, n++) });
    },
  },
  {
    name: 'get by id',
    kind: 'read',
    leadsPerRequest: 0,
    requests: (fixtures) => {
      let n = 0;
      return () => ({ method: 'GET', path: `${BASE}/customers/${at(fixtures.ids, n++)}` });
    },
  },
  {
    name: 'get by email',
    kind: 'read',
    leadsPerRequest: 0,
    requests: (fixtures) => {
      let n = 0;
      return () => ({ method: 'GET', path: `${BASE}/customers/email/${encodeURIComponent(at(fixtures.emails, n++))}` });
    },
  },
  {
    name: 'list by tag (page 1)',
    kind: 'read',
    leadsPerRequest: 0,
    requests: (fixtures) => {
      let n = 0;
      return () => ({ method: 'GET', path: `${BASE}/customers?tag=${encodeURIComponent(at(fixtures.listTags, n++))}&limit=20` });
    },
  },
  {
    name: 'list page 50 (cursor)',
    kind: 'read',
    leadsPerRequest: 0,
    requests: (fixtures) => {
      let n = 0;
      return () => {
        const { query, cursor } = at(fixtures.page50, n++);
        return { method: 'GET', path: `${BASE}/customers?${query}&cursor=${cursor}` };
      };
    },
  },
  {
    name: 'qualify',
    kind: 'write',
    leadsPerRequest: 1,
    requests: (fixtures) => () => qualify(fixtures),
  },
  {
    name: 'company create',
    kind: 'write',
    leadsPerRequest: 0,
    requests: (_fixtures, label) => {
      let n = 0;
      return () => {
        const i = n++;
        const tags = tagsFor(i);
        return {
          method: 'POST',
          path: `${BASE}/companies`,
          body: { name: `Bench ${label} ${i}`, domain: `bench-${label}-${i}.example`, country: 'DE', ...(tags.length > 0 && { tags }) },
        };
      };
    },
  },
  {
    name: 'company get by id',
    kind: 'read',
    leadsPerRequest: 0,
    requests: (fixtures) => {
      let n = 0;
      return () => ({ method: 'GET', path: `${BASE}/companies/${at(fixtures.companyIds, n++)}` });
    },
  },
  {
    name: 'company list by tag (page 1)',
    kind: 'read',
    leadsPerRequest: 0,
    requests: (fixtures) => {
      let n = 0;
      return () => ({ method: 'GET', path: `${BASE}/companies?tag=${encodeURIComponent(at(fixtures.listTags, n++))}&limit=20` });
    },
  },
  {
    name: 'company summary (~200 contacts)',
    kind: 'read',
    leadsPerRequest: 0,
    requests: (fixtures) => {
      let n = 0;
      return () => ({ method: 'GET', path: `${BASE}/companies/${at(fixtures.summaryCompanies, n++)}/summary` });
    },
  },
  {
    // The common search shapes in turn: a rep's customers in one status, any of two tags, a week of
    // creation dates with a free-text word; each one statement (see docs/search.md).
    name: 'search (status+owner, tags, dates)',
    kind: 'read',
    leadsPerRequest: 0,
    requests: (fixtures) => {
      let n = 0;
      return () => {
        const i = n++;
        const rep = `019b6ec4-0000-7000-8000-${String(1 + (i % SALES_REP_COUNT)).padStart(12, '0')}`;
        const shapes = [
          [
            { property: 'status', operator: 'eq', value: ['lead', 'prospect', 'customer'][i % 3] },
            { property: 'assigned_to', operator: 'eq', value: rep },
          ],
          [{ property: 'tags', operator: 'in', values: [at(fixtures.listTags, i), at(fixtures.listTags, i + 1)] }],
          [{ property: 'created_at', operator: 'between', value: `2025-0${1 + (i % 9)}-01`, high_value: `2025-0${1 + (i % 9)}-08` }],
        ];
        return {
          method: 'POST',
          path: `${BASE}/customers/search`,
          body: { filter_groups: [{ filters: at(shapes, i) }], limit: 20, ...(i % 3 === 2 && { query: 'a' }) },
        };
      };
    },
  },
  {
    // 80 % reads (40 % by id, 20 % by email, 20 % list by tag), 20 % writes (10 % create, 5 % rename, 5 % qualify).
    name: 'mixed 80/20',
    kind: 'mixed',
    leadsPerRequest: 0.05,
    requests: (fixtures, label) => {
      let n = 0;
      return () => {
        const i = n++;
        const slot = i % 20;
        if (slot < 8) return { method: 'GET', path: `${BASE}/customers/${at(fixtures.ids, i * 7)}` };
        if (slot < 12) return { method: 'GET', path: `${BASE}/customers/email/${encodeURIComponent(at(fixtures.emails, i * 3))}` };
        if (slot < 16) return { method: 'GET', path: `${BASE}/customers?tag=${encodeURIComponent(at(fixtures.listTags, i))}&limit=20` };
        if (slot < 18) return { method: 'POST', path: `${BASE}/customers`, body: createBody(label, i) };
        if (slot < 19)
          return { method: 'PUT', path: `${BASE}/customers/${at(fixtures.ids, i * 13)}`, body: { name: `Renamed ${label} ${i}` } };
        return qualify(fixtures);
      };
    },
  },
];
