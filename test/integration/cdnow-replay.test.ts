import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const DATASET = new URL('../../../shared/datasets/cdnow/CDNOW_master.txt', import.meta.url);
const present = existsSync(DATASET);
if (!present) console.warn(`CDNOW replay skipped: ${DATASET.pathname} is absent (see ../shared/datasets/cdnow/README.md)`);

/** A stable UUID (version 8, name-derived) for a CDNOW key, so replay and expectations agree without a lookup table. */
function uuidFor(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Transaction {
  readonly customer: string;
  readonly date: string;
  readonly dollars: string;
}

function readTransactions(): Transaction[] {
  return readFileSync(DATASET, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 4)
    .map(([customer, date, , dollars]) => ({ customer: customer!, date: date!, dollars: dollars! }));
}

// The order amounts sent: exact cents from the decimal text. The expectations below are summed
// separately, in floating-point dollars, and only rounded at the end.
const cents = (dollars: string) => {
  const [whole, fraction = ''] = dollars.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
};

describe.skipIf(!present)('replaying the CDNOW purchase history as OrderPlaced events', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  });
  afterAll(() => database?.close());

  it('gives every customer the order count and total the file says', { timeout: 900_000 }, async () => {
    const transactions = readTransactions();
    const customerKeys = [...new Set(transactions.map((transaction) => transaction.customer))];
    expect(transactions).toHaveLength(69_659);
    expect(customerKeys).toHaveLength(23_570);

    // The customers exist before their orders arrive (fixture, one statement).
    const ids = customerKeys.map((key) => uuidFor(`cdnow-customer-${key}`));
    await sql`insert into customer_mgmt_customers (id, name, email, source, created_at, updated_at)
      select customer.id, 'CDNOW customer ' || customer.key, 'cdnow-' || customer.key || '@example.com', 'cdnow', now(), now()
      from unnest(cast(${`{${customerKeys.join(',')}}`} as text[]), cast(${`{${ids.join(',')}}`} as uuid[])) as customer (key, id)`.execute(
      database.db,
    );

    const consume = createEventConsumer(database.db);
    const started = performance.now();
    const concurrency = 16;
    for (let index = 0; index < transactions.length; index += concurrency) {
      const outcomes = await Promise.all(
        transactions.slice(index, index + concurrency).map((transaction, offset) =>
          consume({
            id: uuidFor(`cdnow-event-${index + offset}`),
            source: 'order-management',
            'detail-type': 'OrderPlaced',
            time: '1998-07-01T00:00:00Z',
            detail: {
              order_id: uuidFor(`cdnow-order-${index + offset}`),
              customer_id: uuidFor(`cdnow-customer-${transaction.customer}`),
              total_minor: cents(transaction.dollars),
              currency: 'USD',
              placed_at: `${transaction.date.slice(0, 4)}-${transaction.date.slice(4, 6)}-${transaction.date.slice(6, 8)}T00:00:00Z`,
            },
          }),
        ),
      );
      const notApplied = outcomes.filter((outcome) => outcome.outcome !== 'applied');
      expect(notApplied).toEqual([]);
    }
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `CDNOW replay on ${database.name}: ${transactions.length} OrderPlaced events in ${seconds.toFixed(1)} s ` +
        `(${Math.round(transactions.length / seconds)} events/s, concurrency ${concurrency})`,
    );

    const expected = new Map<string, { count: number; dollars: number; first: string; last: string }>();
    for (const transaction of transactions) {
      const id = uuidFor(`cdnow-customer-${transaction.customer}`);
      const entry = expected.get(id) ?? { count: 0, dollars: 0, first: transaction.date, last: transaction.date };
      entry.count += 1;
      entry.dollars += Number.parseFloat(transaction.dollars);
      entry.first = transaction.date < entry.first ? transaction.date : entry.first;
      entry.last = transaction.date > entry.last ? transaction.date : entry.last;
      expected.set(id, entry);
    }
    const rows = await sql<{ id: string; orders_count: number; usd: string | null; first_order_at: Date; last_order_at: Date }>`
      select id, orders_count, total_spent ->> 'USD' as usd, first_order_at, last_order_at
      from customer_mgmt_customers where source = 'cdnow'`.execute(database.db);
    expect(rows.rows).toHaveLength(23_570);
    const day = (date: Date) => date.toISOString().slice(0, 10).replaceAll('-', '');
    const mismatches = rows.rows.filter((row) => {
      const want = expected.get(row.id)!;
      return (
        row.orders_count !== want.count ||
        Number(row.usd ?? 0) !== Math.round(want.dollars * 100) ||
        day(row.first_order_at) !== want.first ||
        day(row.last_order_at) !== want.last
      );
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
