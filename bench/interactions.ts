/**
 * `npx tsx bench/interactions.ts`: logging an interaction and reading the first timeline page of a
 * customer with 1,000 items, at concurrency 16, with 100,000 interactions in the table. Requests go
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
const TARGET_P99_MS = { log: 50, timeline: 50 };

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
    await sql`insert into customer_mgmt_purchases (order_id, customer_id, state, total_minor, currency, placed_at, updated_at)
      select gen_random_uuid(), cast(${busy} as uuid), 'completed', 1000 + n, 'EUR', timestamptz '2024-01-01' + n * interval '90 minutes', now()
      from generate_series(1, ${sql.lit(TIMELINE_ITEMS / 2 - 1)}) n`.execute(db);
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
    const first = JSON.parse((await call('GET', `${BASE}/customers/${busy}/timeline?limit=20`)).body as string);
    log(`the busy customer's first page: ${first.data.length} items, next_cursor ${first.pagination.next_cursor ? 'set' : 'null'}`);
    await measure('timeline', () => call('GET', `${BASE}/customers/${busy}/timeline?limit=20`));
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
