import type pg from 'pg';

/**
 * Realistic customers in bulk: one `INSERT … SELECT generate_series` statement that writes the
 * customers and, in the same statement, every customer's event history (a lead has its
 * CustomerCreated event, a churned customer four events), so the tables look like the service
 * had produced them. Values are pseudo-random but reproducible (`setseed`).
 */

/** Ordered by popularity: the tag picker below favours the front of the list (Zipf-like). */
export const TAG_VOCABULARY = [
  'newsletter',
  'vip',
  'high-value',
  'emea',
  'b2b',
  'churn-risk',
  'na',
  'support',
  'upsell',
  'webinar-2025',
  'apac',
  'saas',
  'renewal-q1',
  'renewal-q2',
  'renewal-q3',
  'renewal-q4',
  'enterprise-trial',
  'partner',
  'retail',
  'fintech',
  'onboarding',
  'champion',
  'decision-maker',
  'latam',
  'healthcare',
  'education',
  'reseller',
  'referral-program',
  'beta-tester',
  'gdpr-consent',
  'budget-approved',
  'manufacturing',
  'trial-expired',
  'event:web-summit',
  'event:saas-connect',
  'nonprofit',
  'government',
  'competitor:acme',
  'do-not-call',
  'legacy-import',
] as const;

const FIRST_NAMES = [
  'Olena',
  'Andriy',
  'Iryna',
  'Taras',
  'Oksana',
  'Dmytro',
  'Kateryna',
  'Mykola',
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Lukas',
  'Anna',
  'Jonas',
  'Sophie',
  'Felix',
  'Marie',
  'Maximilian',
  'Lena',
  'Lucia',
  'Mateo',
  'Sofia',
  'Hugo',
  'Martina',
  'Pablo',
  'Carmen',
  'Giulia',
  'Marco',
  'Chiara',
  'Luca',
  'Aarav',
  'Priya',
  'Vivaan',
  'Ananya',
  'Rohan',
  'Wei',
  'Li',
  'Jing',
  'Hao',
  'Yuki',
  'Haruto',
  'Sakura',
  'Minjun',
  'Seoyeon',
  'Fatima',
  'Omar',
  'Aisha',
  'Yusuf',
  'Chloe',
  'Noah',
  'Emma',
  'Oliver',
  'Amelia',
  'Jakub',
  'Zuzanna',
  'Piotr',
  'Agnieszka',
];

const LAST_NAMES = [
  'Kovalenko',
  'Shevchenko',
  'Bondarenko',
  'Tkachenko',
  'Kravchenko',
  'Melnyk',
  'Boyko',
  'Koval',
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
  'Moore',
  'Muller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Rossi',
  'Russo',
  'Ferrari',
  'Esposito',
  'Bianchi',
  'Fernandez',
  'Lopez',
  'Gonzalez',
  'Sanchez',
  'Perez',
  'Sharma',
  'Patel',
  'Gupta',
  'Singh',
  'Kumar',
  'Wang',
  'Zhang',
  'Liu',
  'Chen',
  'Yang',
  'Sato',
  'Suzuki',
  'Takahashi',
  'Kim',
  'Lee',
  'Park',
  'Nowak',
  'Kowalski',
  'Wisniewski',
  'Haddad',
  'Khan',
  'Ali',
  'Dubois',
  'Martin',
  'Bernard',
  'Jansen',
  'De Vries',
  'Nielsen',
  'Hansen',
  'Olsen',
  'OBrien',
  'Murphy',
];

/** Mail domains, most common first (the picker is skewed towards the front). */
const MAIL_DOMAINS = [
  'gmail.com',
  'outlook.com',
  'yahoo.com',
  'icloud.com',
  'proton.me',
  'ukr.net',
  'gmx.de',
  'hotmail.com',
  'web.de',
  'acme-corp.com',
  'globex.io',
  'initech.com',
  'umbrella.co',
  'hooli.com',
  'stark-industries.com',
  'wayne-enterprises.com',
  'contoso.com',
  'fabrikam.net',
  'northwind.io',
  'tailspin.dev',
];

/** Lead sources, most common first. */
const SOURCES = ['website', 'referral', 'google_ads', 'linkedin', 'newsletter', 'event', 'partner', 'cold_call', 'import', 'unknown'];

/** Sales reps customers are assigned to (70 % of customers have one). */
export const SALES_REP_COUNT = 25;
export const salesRepId = (n: number) => `019b6ec4-0000-7000-8000-${String(n).padStart(12, '0')}`;

export interface SeedOptions {
  /** Customers to write. */
  readonly count: number;
  /** Distinguishes emails and user ids of separate batches (they must stay unique). */
  readonly batch: string;
  /** Only leads (status lead, version 1) — the pool qualify requests consume. */
  readonly leadsOnly?: boolean;
  /** Seed of PostgreSQL's random() for reproducible data. */
  readonly seed?: number;
}

/**
 * Customer rows, drawn per row: created_at spread over two years (ids are UUIDv7 of it, as the
 * service makes them), names and emails from the lists above, 80 % with an international phone,
 * status lead 35 % / prospect 25 % / customer 30 % / churned 10 % (version = events so far),
 * tier free 55 % / basic 25 % / pro 15 % / enterprise 5 %, 55 % B2C (user_id), 30 % B2B
 * (company_id out of 3,000 companies, skewed), 0–4 tags (25/30/25/12/8 %) Zipf-picked from 40.
 */
const SEED_SQL = `
with drawn as (
  select g,
         random() as r_first, random() as r_last, random() as r_email, random() as r_domain, random() as r_phone,
         random() as r_phone_digits, random() as r_status, random() as r_tier, random() as r_source, random() as r_assign,
         random() as r_account, random() as r_company, random() as r_tags, random() as r_updated,
         now() - interval '730 days' + interval '730 days' * ((g - 1 + random()) / $1::int) as created_at
  from generate_series(1, $1::int) as g
), shaped as (
  select d.*,
         ($3::text[])[1 + floor(r_first * cardinality($3::text[]))::int] as first_name,
         ($4::text[])[1 + floor(r_last * cardinality($4::text[]))::int] as last_name,
         ($5::text[])[1 + floor(power(r_domain, 2.0) * cardinality($5::text[]))::int] as domain,
         case when $8::boolean then 'lead'
              when r_status < 0.35 then 'lead' when r_status < 0.60 then 'prospect'
              when r_status < 0.90 then 'customer' else 'churned' end as status,
         case when r_tags < 0.25 then 0 when r_tags < 0.55 then 1 when r_tags < 0.80 then 2 when r_tags < 0.92 then 3 else 4 end as tag_count,
         lpad(to_hex((extract(epoch from created_at) * 1000)::bigint), 12, '0') as ts_hex,
         md5($2 || ':id:' || g) as id_hex
  from drawn d
), customers as (
  select
    (substr(ts_hex, 1, 8) || '-' || substr(ts_hex, 9, 4) || '-7' || substr(id_hex, 1, 3) || '-' ||
       substr('89ab', 1 + (g % 4)::int, 1) || substr(id_hex, 4, 3) || '-' || substr(id_hex, 7, 12))::uuid as id,
    case when r_account < 0.55 then md5($2 || ':user:' || g)::uuid end as user_id,
    case when r_account >= 0.55 and r_account < 0.85
         then ('019b6ec5-0000-7000-8000-' || lpad((1 + floor(3000 * power(r_company, 2.0)))::int::text, 12, '0'))::uuid end as company_id,
    first_name || ' ' || last_name as name,
    lower(replace(case when r_email < 0.5 then first_name || '.' || last_name
                       when r_email < 0.75 then left(first_name, 1) || last_name
                       else first_name || '_' || left(last_name, 1) end, ' ', '')) || '.' || $2 || g || '@' || domain as email,
    case when r_phone < 0.20 then null
         when r_phone < 0.45 then '+380' || (500000000 + floor(r_phone_digits * 499999999))::bigint
         when r_phone < 0.70 then '+1' || (200 + floor(r_phone_digits * 800))::int || (200 + floor((r_phone_digits * 1000 - floor(r_phone_digits * 1000)) * 800))::int
                                  || lpad(floor((r_phone_digits * 1e6 - floor(r_phone_digits * 1e6)) * 10000)::int::text, 4, '0')
         when r_phone < 0.85 then '+447' || (100000000 + floor(r_phone_digits * 899999999))::bigint
         else '+4915' || (100000000 + floor(r_phone_digits * 899999999))::bigint end as phone,
    status,
    case when r_tier < 0.55 then 'free' when r_tier < 0.80 then 'basic' when r_tier < 0.95 then 'pro' else 'enterprise' end as tier,
    ($6::text[])[1 + floor(power(r_source, 1.8) * cardinality($6::text[]))::int] as source,
    case when r_assign < 0.70 then ('019b6ec4-0000-7000-8000-' || lpad((1 + floor(r_assign / 0.70 * ${SALES_REP_COUNT}))::int::text, 12, '0'))::uuid end as assigned_to,
    (select coalesce(jsonb_agg(tag order by first_pick), '[]'::jsonb)
       from (select tag, min(k) as first_pick
               from (select k, ($7::text[])[1 + floor(power(random(), 2.2) * cardinality($7::text[]))::int] as tag
                       from generate_series(1, tag_count) as k) as picks
              group by tag) as distinct_tags) as tags,
    case status when 'lead' then 1 when 'prospect' then 2 when 'customer' then 3 else 4 end as version,
    created_at,
    case when status = 'lead' then created_at + interval '1 minute' * r_updated
         else created_at + (now() - created_at) * (0.2 + 0.8 * r_updated) end as updated_at
  from shaped
), inserted as (
  insert into customer_mgmt_customers
    (id, user_id, company_id, name, email, phone, status, tier, source, assigned_to, tags, version, created_at, updated_at, churned_at)
  select id, user_id, company_id, name, email, phone, status, tier, source, assigned_to, tags, version, created_at, updated_at,
         case when status = 'churned' then updated_at end
  from customers
  returning *
)
insert into customer_mgmt_events (event_id, customer_id, customer_version, event_type, event_version, occurred_at, actor, data, published_at)
select e.event_id, e.customer_id, e.customer_version, e.event_type, e.event_version, e.occurred_at, e.actor, e.data,
       -- delivered long ago: the relay has nothing to catch up on when the measurements start
       e.occurred_at + interval '1 second'
from (
select md5('event:' || c.id || ':' || v)::uuid as event_id, c.id as customer_id, v as customer_version,
       (array['CustomerCreated', 'CustomerQualified', 'CustomerConverted', 'CustomerChurned'])[v] as event_type, 1 as event_version,
       case when c.version = 1 then c.created_at else c.created_at + (c.updated_at - c.created_at) * ((v - 1)::float8 / (c.version - 1)) end as occurred_at,
       coalesce(c.assigned_to::text, '019b6ec4-0000-7000-8000-00000000ad31') as actor,
       case v
         when 1 then jsonb_build_object('customer', jsonb_build_object(
           'id', c.id, 'name', c.name, 'email', c.email, 'phone', c.phone, 'status', 'lead', 'tier', c.tier, 'source', c.source,
           'assigned_to', c.assigned_to, 'tags', c.tags, 'user_id', c.user_id, 'company_id', c.company_id, 'version', 1,
           'churned_at', null, 'created_at', c.created_at, 'updated_at', c.created_at))
         when 2 then '{"changes":{"status":{"from":"lead","to":"prospect"}}}'::jsonb
         when 3 then '{"changes":{"status":{"from":"prospect","to":"customer"}}}'::jsonb
         else jsonb_build_object('changes', jsonb_build_object('status', '{"from":"customer","to":"churned"}'::jsonb,
                'churned_at', jsonb_build_object('from', null, 'to', c.churned_at))) || '{"reason":"price"}'::jsonb
       end as data
from inserted as c cross join lateral generate_series(1, c.version) as v
) as e`;

/** Writes `count` customers and their histories in one statement; returns how long it took. */
export async function seedCustomers(
  client: pg.ClientBase,
  options: SeedOptions,
): Promise<{ customers: number; events: number; ms: number }> {
  const started = performance.now();
  await client.query('select setseed($1)', [options.seed ?? 0.42]);
  // JIT compiling this one-off statement costs more than it saves.
  await client.query('set jit = off');
  const result = await client.query(SEED_SQL, [
    options.count,
    options.batch,
    FIRST_NAMES,
    LAST_NAMES,
    MAIL_DOMAINS,
    SOURCES,
    [...TAG_VOCABULARY],
    options.leadsOnly ?? false,
  ]);
  await client.query('reset jit');
  return { customers: options.count, events: result.rowCount ?? 0, ms: performance.now() - started };
}

/** Companies B2B customers belong to: ids 1..3,000 are the ones the customer seed links (skewed). */
export const COMPANY_COUNT = 100_000;
export const companyId = (n: number) => `019b6ec5-0000-7000-8000-${String(n).padStart(12, '0')}`;

/**
 * Company rows (a customer's company_id must name a live one): a domain each, 0-3 tags from the
 * vocabulary, industry and size band spread, one in three owned by a sales rep. Without events:
 * the benchmark reads and changes them, it does not replay their history. Skipped when the table
 * does not exist (a database from before companies).
 */
export async function seedCompanies(client: pg.ClientBase, count = COMPANY_COUNT): Promise<number> {
  const { rows } = await client.query<{ exists: boolean }>(`select to_regclass('customer_mgmt_companies') is not null as exists`);
  if (!rows[0]?.exists) return 0;
  const result = await client.query(
    `insert into customer_mgmt_companies
       (id, name, domain, industry, size_band, country, owner_id, tags, version, created_at, updated_at)
     select ('019b6ec5-0000-7000-8000-' || lpad(n::text, 12, '0'))::uuid, 'Company ' || n, 'company-' || n || '.example',
            (array['software', 'retail', 'financial-services', 'manufacturing', 'healthcare'])[1 + n % 5],
            (array['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001+'])[1 + n % 7],
            (array['GB', 'DE', 'FR', 'US', 'UA'])[1 + n % 5],
            case when n % 3 = 0 then ('019b6ec4-0000-7000-8000-' || lpad((1 + n % ${SALES_REP_COUNT})::text, 12, '0'))::uuid end,
            (select coalesce(jsonb_agg(distinct ($2::text[])[1 + (n * k * 7) % cardinality($2::text[])]), '[]'::jsonb)
               from generate_series(1, n % 4) as k),
            1, now() - interval '1 day' * (n % 700), now() - interval '1 day' * (n % 700)
     from generate_series(1, $1::int) as n
     on conflict (id) do nothing`,
    [count, [...TAG_VOCABULARY]],
  );
  return result.rowCount ?? 0;
}

/**
 * The sales reps customers are assigned to, as Identity's role events would have registered
 * them (customers may only be assigned to active reps). Skipped when the table does not exist.
 */
export async function seedSalesReps(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ exists: boolean }>(`select to_regclass('customer_mgmt_sales_reps') is not null as exists`);
  if (!rows[0]?.exists) return 0;
  const result = await client.query(
    `insert into customer_mgmt_sales_reps (user_id, name, email, active, updated_at)
     select ('019b6ec4-0000-7000-8000-' || lpad(n::text, 12, '0'))::uuid, 'Sales Rep ' || n, 'rep' || n || '@example.com', true, now()
     from generate_series(1, $1::int) as n
     on conflict (user_id) do nothing`,
    [SALES_REP_COUNT],
  );
  return result.rowCount ?? 0;
}

/** Fresh statistics and visibility maps, as autovacuum would have them on a settled database. */
export async function vacuumAnalyze(client: pg.ClientBase): Promise<void> {
  await client.query('vacuum (analyze)');
}

/** What the seed produced, for the report: counts by status, tier and the tag spread. */
export async function describeSeed(client: pg.ClientBase): Promise<Record<string, unknown>> {
  const one = async (sql: string) => (await client.query(sql)).rows;
  const [totals] = await one(
    `select count(*)::int as customers, (select count(*)::int from customer_mgmt_events) as events,
            round(avg(jsonb_array_length(tags)), 2)::float8 as avg_tags,
            pg_size_pretty(pg_total_relation_size('customer_mgmt_customers')) as customers_size
       from customer_mgmt_customers`,
  );
  const byStatus = Object.fromEntries(
    (await one('select status, count(*)::int as n from customer_mgmt_customers group by 1 order by 1')).map((r) => [r.status, r.n]),
  );
  const byTier = Object.fromEntries(
    (await one('select tier, count(*)::int as n from customer_mgmt_customers group by 1 order by 1')).map((r) => [r.tier, r.n]),
  );
  const topTags = (
    await one(
      `select t as tag, count(*)::int as n from customer_mgmt_customers, jsonb_array_elements_text(tags) t group by 1 order by 2 desc limit 5`,
    )
  ).map((r) => `${r.tag}:${r.n}`);
  return { ...totals, by_status: byStatus, by_tier: byTier, top_tags: topTags };
}

/**
 * Bulk loads are faster without secondary indexes: they are dropped before and rebuilt after
 * (the definitions come from the catalog, so whatever the migrations created comes back).
 */
export async function withoutSecondaryIndexes<T>(client: pg.ClientBase, load: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `select i.indexname as name, i.indexdef as definition
       from pg_indexes i
      where i.schemaname = current_schema() and i.tablename in ('customer_mgmt_customers', 'customer_mgmt_events')
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
  );
  for (const { name } of rows) await client.query(`drop index ${name}`);
  const result = await load();
  await client.query(`set maintenance_work_mem = '256MB'`);
  for (const { definition } of rows) await client.query(definition);
  await client.query('reset maintenance_work_mem');
  return result;
}
