/**
 * `npx tsx bench/interactions.ts`: logging an interaction (on a customer; on a customer, its company
 * and a deal) and reading the first timeline page of a customer with 1,000 items, of its company
 * (with the contact's items) and of its deal, at concurrency 16, with 100,000 interactions in the table. Requests go
 * through the real route-group handlers in process (API Gateway payload 2.0 events, the same
 * routing, auth, parsing and SQL as on Lambda; no HTTP hop) against the PostgreSQL server at
 * DATABASE_URL (a fresh database, dropped afterwards), else PGlite. Prints p50/p95/p99 and whether
 * each p99 met its target. See docs/benchmarks.md.
 */
import { sql } from 'kysely';
import { BASE, measure as measureRequests, withInProcessApi } from './in-process.js';

const INTERACTIONS = 100_000;
const CUSTOMERS = 1_000;
const TIMELINE_ITEMS = 1_000;
const CONCURRENCY = 16;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
/** p99 targets for this in-process measurement on a 2-core machine (the HTTP and Lambda hops come on top). */
const TARGET_P99_MS = { log: 50, 'log-linked': 50, timeline: 50, 'company-tl': 50, 'deal-tl': 50 };
/** Companies and deals the linked logs spread over (each log locks the rows it advances). */
const LINKED_RECORDS = 16;
const DEAL_STAGES = ['needs_analysis', 'proposal', 'negotiation', 'proposal', 'needs_analysis'];

const log = (message: string) => process.stderr.write(`[interactions bench] ${message}\n`);

async function main(): Promise<void> {
  await withInProcessApi(CONCURRENCY, async ({ db, call, onServer }) => {
    log(`seeding ${CUSTOMERS} customers and ${INTERACTIONS.toLocaleString('en')} interactions on ${onServer ? 'PostgreSQL' : 'PGlite'}`);
    const customerIds: string[] = [];
    for (let n = 0; n < CUSTOMERS; n++) {
      const created = await call('POST', `${BASE}/customers`, { name: `Bench ${n}`, email: `bench.${n}@example.com` });
      customerIds.push(JSON.parse(created.body as string).data.id);
    }
    const busy = customerIds[0]!;
    await sql`with ids as (select array_agg(id::text order by id) as list from customer_mgmt_customers)
      insert into customer_mgmt_interactions (id, type, occurred_at, links, owner_id, source, version, created_at, updated_at)
      select gen_random_uuid(), 'note', timestamptz '2020-01-01' + n * interval '5 minutes',
             jsonb_build_object('customer', jsonb_build_array(ids.list[1 + n % ${sql.lit(CUSTOMERS)}])),
             gen_random_uuid(), 'import', 1, now(), now()
      from generate_series(1, ${sql.lit(INTERACTIONS - TIMELINE_ITEMS / 2)}) n, ids`.execute(db);
    await sql`insert into customer_mgmt_interaction_links (interaction_id, target_type, target_id, occurred_at, counts_as_contact)
      select id, 'customer', cast(links->'customer'->>0 as uuid), occurred_at, counts_as_contact from customer_mgmt_interactions`.execute(
      db,
    );
    // The busy customer: half its 1,000 timeline items are interactions (logged through the API), half orders.
    for (let n = 0; n < TIMELINE_ITEMS / 2; n++) {
      await call('POST', `${BASE}/interactions`, {
        type: 'call',
        occurred_at: new Date(Date.UTC(2024, 0, 1) + n * 3_600_000).toISOString(),
        direction: 'outbound',
        outcome: 'connected',
        duration_s: 60 + n,
        links: { customer_ids: [busy] },
      });
    }
    // The busy customer is a contact of a company and the primary customer of its deal, whose stage moves are deal items.
    const companyIds: string[] = [];
    const dealIds: string[] = [];
    for (let n = 0; n < LINKED_RECORDS; n++) {
      companyIds.push(JSON.parse((await call('POST', `${BASE}/companies`, { name: `Bench Co ${n}` })).body as string).data.id);
      const deal = await call('POST', `${BASE}/deals`, {
        name: `Bench deal ${n}`,
        company_id: companyIds[n],
        primary_customer_id: customerIds[n],
      });
      dealIds.push(JSON.parse(deal.body as string).data.id);
    }
    await sql`update customer_mgmt_customers set company_id = cast(${companyIds[0]!} as uuid) where id = cast(${busy} as uuid)`.execute(db);
    for (const stage of DEAL_STAGES) await call('POST', `${BASE}/deals/${dealIds[0]}/stage`, { stage });
    await sql`insert into customer_mgmt_purchases (order_id, customer_id, state, total_minor, currency, placed_at, updated_at)
      select gen_random_uuid(), cast(${busy} as uuid), 'completed', 1000 + n, 'EUR', timestamptz '2024-01-01' + n * interval '90 minutes', now()
      from generate_series(1, ${sql.lit(TIMELINE_ITEMS / 2 - 1 - DEAL_STAGES.length)}) n`.execute(db);
    await sql`analyze`.execute(db);
    const { rows } = await sql<{ n: string }>`select count(*) as n from customer_mgmt_interactions`.execute(db);
    log(`${Number(rows[0]!.n).toLocaleString('en')} interactions stored`);

    const measure = (name: keyof typeof TARGET_P99_MS, request: (n: number) => Promise<{ statusCode: number }>) =>
      measureRequests(name, { requests: REQUESTS, concurrency: CONCURRENCY, targetP99Ms: TARGET_P99_MS[name] }, request);

    await measure('log', (n) =>
      call('POST', `${BASE}/interactions`, {
        type: 'call',
        occurred_at: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
        direction: 'inbound',
        outcome: 'connected',
        duration_s: 300,
        subject: `Bench call ${n}`,
        links: { customer_ids: [customerIds[1 + (n % (CUSTOMERS - 1))]!] },
      }),
    );
    await measure('log-linked', (n) =>
      call('POST', `${BASE}/interactions`, {
        type: 'note',
        occurred_at: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
        subject: `Bench note ${n}`,
        links: {
          customer_ids: [customerIds[1 + (n % (CUSTOMERS - 1))]!],
          company_id: companyIds[1 + (n % (LINKED_RECORDS - 1))]!,
          deal_ids: [dealIds[1 + (n % (LINKED_RECORDS - 1))]!],
        },
      }),
    );
    for (const [what, path] of [
      ['customer', `${BASE}/customers/${busy}/timeline?limit=20`],
      ['company', `${BASE}/companies/${companyIds[0]}/timeline?limit=20`],
      ['deal', `${BASE}/deals/${dealIds[0]}/timeline?limit=20`],
    ] as const) {
      const first = JSON.parse((await call('GET', path)).body as string);
      const kinds = [...new Set(first.data.map((item: { kind: string }) => item.kind))].join(', ');
      log(
        `the busy ${what}'s first page: ${first.data.length} items (${kinds}), next_cursor ${first.pagination.next_cursor ? 'set' : 'null'}`,
      );
    }
    await measure('timeline', () => call('GET', `${BASE}/customers/${busy}/timeline?limit=20`));
    await measure('company-tl', () => call('GET', `${BASE}/companies/${companyIds[0]}/timeline?limit=20`));
    await measure('deal-tl', () => call('GET', `${BASE}/deals/${dealIds[0]}/timeline?limit=20`));
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
