import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Company, CompanyField } from '../../domain/company/company.js';
import type { CompanyEvent, CompanyEventType } from '../../domain/company/company.events.js';
import type {
  CompanyListQuery,
  CompanyPage,
  CompanyRepository,
  CompanySummary,
  CompanyVisibility,
} from '../../domain/company/company-repository.js';
import { MAX_HIERARCHY_LEVELS } from '../../domain/company/company.js';
import type { Database } from '../db/database.js';
import { reusablePlan } from '../db/reusable-plans.js';
import { fromJsonb, isoText, param, toIsoTimestamp } from '../db/sql-values.js';
import { createAggregateStore } from '../kit/aggregate-store.js';
import type { RowScope } from '../kit/aggregate-table.js';
import { readStreamPage } from '../kit/stream-history.js';
import { COMPANIES, COMPANY_DOMAINS, COMPANY_TABLE, rowToCompany, type CompanyRow } from './company-table.js';
import { liveHolders } from '../merge/merged-holders.js';

const CUSTOMERS = 'customer_mgmt_customers';
const PURCHASES = 'customer_mgmt_purchases';
const DEALS = 'customer_mgmt_deals';
const PIPELINES = 'customer_mgmt_pipelines';

/**
 * The sales rep scope as a condition on the companies table (columns qualified with its name):
 * the companies they own, and for reads also those of the live customers assigned to them.
 */
export function companyScope(visibility: CompanyVisibility = {}): RowScope {
  if (visibility.ownerId === undefined) return undefined;
  const owner = param.uuid(visibility.ownerId);
  const owned = sql<boolean>`${sql.ref(`${COMPANIES}.owner_id`)} = ${owner}`;
  if (!visibility.throughContacts) return owned;
  return sql<boolean>`(${owned} or exists (select 1 from ${sql.table(CUSTOMERS)} contact
    where contact.company_id = ${sql.ref(`${COMPANIES}.id`)} and contact.assigned_to = ${owner} and contact.deleted_at is null))`;
}

type SummaryRow = { found: boolean; companies: number | string; by_status: unknown; purchases: unknown; deals: unknown };
type DealTotalsRow = Record<
  'open_count' | 'open_minor' | 'weighted_minor' | 'won_count' | 'won_minor' | 'lost_count' | 'lost_minor',
  number | string
> & { currency: string };
type PurchaseTotalsRow = {
  currency: string;
  orders: number | string;
  total_minor: number | string;
  first_order_at: string;
  last_order_at: string;
};

/** Companies in PostgreSQL through Kysely; every write is one statement carrying its event (the write kit). */
export function createCompanyRepository(db: Kysely<Database>): CompanyRepository & {
  summary(id: string, includeSubsidiaries: boolean, now: string, visibility?: CompanyVisibility): Promise<CompanySummary | null>;
} {
  const store = createAggregateStore<Company, CompanyField, CompanyEventType>(db, COMPANY_TABLE);
  const visible = (visibility: CompanyVisibility = {}) => {
    const scope = companyScope(visibility);
    const live = db.selectFrom(COMPANIES).selectAll(COMPANIES).where(`${COMPANIES}.deleted_at`, 'is', null);
    return scope ? live.where(scope) : live;
  };

  return {
    insert: (company, event) => store.insert(company, event),
    findById: (id, visibility) => store.findById(id, { scope: companyScope(visibility) }),

    findMergedInto: (id, visibility) => store.mergedInto(id, { scope: companyScope(visibility) }),
    saveChange: (id, change, context, visibility) => store.saveChange(id, change, context, { scope: companyScope(visibility) }),

    async findByDomain(domain, visibility) {
      const row = await visible(visibility)
        .where(
          sql<boolean>`${sql.ref(`${COMPANIES}.id`)} = (select company_id from ${sql.table(COMPANY_DOMAINS)} where domain = ${domain})`,
        )
        .executeTakeFirst();
      return row ? rowToCompany(row as CompanyRow) : null;
    },

    async findIdByUnique(field, values, visibility) {
      if (values.length === 0) return null;
      const match =
        field === 'domain'
          ? sql<boolean>`${sql.ref(`${COMPANIES}.id`)} in (select company_id from ${sql.table(COMPANY_DOMAINS)}
              where domain in (select jsonb_array_elements_text(${param.jsonb(values)})))`
          : sql<boolean>`${sql.ref(`${COMPANIES}.id`)} in ${liveHolders(COMPANIES, sql<boolean>`held.external_id = ${values[0]}`)}`;
      const row = await visible(visibility).where(match).executeTakeFirst();
      return row?.id ?? null;
    },

    async list(query: CompanyListQuery): Promise<CompanyPage> {
      const descending = query.sort.startsWith('-');
      const keyColumn = query.sort.replace('-', '') as 'created_at' | 'name';
      let select = visible(query.visibility) as SelectQueryBuilder<Database, typeof COMPANIES, CompanyRow>;
      const column = (name: string) => sql.ref(`${COMPANIES}.${name}`);
      if (query.ownerId) select = select.where(column('owner_id'), '=', param.uuid(query.ownerId));
      if (query.industry) select = select.where(column('industry'), '=', query.industry);
      if (query.sizeBand) select = select.where(column('size_band'), '=', query.sizeBand);
      if (query.country) select = select.where(column('country'), '=', query.country);
      if (query.parentCompanyId) select = select.where(column('parent_company_id'), '=', param.uuid(query.parentCompanyId));
      if (query.subtreeOf) {
        select = select.where(
          column('id'),
          'in',
          sql<string>`(with recursive below (id, level) as (
            select id, 1 from ${sql.table(COMPANIES)} where parent_company_id = ${param.uuid(query.subtreeOf)} and deleted_at is null
            union all
            select child.id, below.level + 1 from ${sql.table(COMPANIES)} child join below on child.parent_company_id = below.id
            where child.deleted_at is null and below.level < ${sql.lit(MAX_HIERARCHY_LEVELS)}
          ) select id from below)`,
        );
      }
      if (query.domain) {
        select = select.where(
          column('id'),
          '=',
          sql<string>`(select company_id from ${sql.table(COMPANY_DOMAINS)} where domain = ${query.domain})`,
        );
      }
      const tagsAny = query.tagsAny;
      if (tagsAny?.length) select = select.where((eb) => eb.or(tagsAny.map((tag) => eb(column('tags'), '@>', param.jsonb([tag])))));
      if (query.tagsAll?.length) select = select.where(column('tags'), '@>', param.jsonb(query.tagsAll));
      if (query.text) {
        const pattern = `%${query.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        select = select.where(
          sql<boolean>`(${column('name')} ilike ${pattern} or exists (select 1 from ${sql.table(COMPANY_DOMAINS)} d
            where d.company_id = ${column('id')} and d.domain like ${pattern}))`,
        );
      }
      if (query.createdFrom) select = select.where(column('created_at'), '>=', param.timestamptz(query.createdFrom));
      if (query.createdTo) select = select.where(column('created_at'), '<', param.timestamptz(query.createdTo));
      if (query.after) {
        const key = keyColumn === 'created_at' ? param.timestamptz(query.after.key) : sql`${query.after.key}`;
        const operator = sql.raw(descending ? '<' : '>');
        select = select.where(sql<boolean>`(${column(keyColumn)}, ${column('id')}) ${operator} (${key}, ${param.uuid(query.after.id)})`);
      }
      const direction = descending ? sql.raw('desc') : sql.raw('asc');
      const rows = await select
        .orderBy(sql`${column(keyColumn)} ${direction}`)
        .orderBy(sql`${column('id')} ${direction}`)
        .limit(query.limit + 1)
        .execute();
      const companies = rows.slice(0, query.limit).map((row) => rowToCompany(row as CompanyRow));
      const last = companies[companies.length - 1];
      const next = rows.length > query.limit && last ? { key: keyColumn === 'name' ? last.name : last.createdAt, id: last.id } : null;
      return { companies, next };
    },

    async dependents(id) {
      const { rows } = await sql<{ contacts: number | string; subsidiaries: number | string; open_deals: number | string }>`
        select (select count(*) from ${sql.table(CUSTOMERS)} where company_id = ${param.uuid(id)} and deleted_at is null) as contacts,
               (select count(*) from ${sql.table(COMPANIES)} where parent_company_id = ${param.uuid(id)} and deleted_at is null) as subsidiaries,
               (select count(*) from ${sql.table(DEALS)}
                where company_id = ${param.uuid(id)} and status = 'open' and deleted_at is null) as open_deals`.execute(db);
      return {
        contacts: Number(rows[0]?.contacts ?? 0),
        subsidiaries: Number(rows[0]?.subsidiaries ?? 0),
        openDeals: Number(rows[0]?.open_deals ?? 0),
      };
    },

    history: (id, page, visibility) =>
      readStreamPage<CompanyEvent>(db, { table: COMPANIES, aggregateType: 'company', id, scope: companyScope(visibility) }, page),

    /**
     * One statement: the company (within the visibility), with its live subsidiaries all the way
     * down when asked (a recursive walk bounded by the hierarchy's depth), their live contacts by
     * status, and those contacts' orders per currency (refunded orders count neither way); and the
     * live deals of those companies per currency: open ones (count, amount, and weighted by the
     * probability their stage has now, each deal rounded to the minor unit as its own read shows
     * it), and those won or lost in the 365 days before `now`.
     */
    async summary(id, includeSubsidiaries, now, visibility) {
      const scope = companyScope(visibility);
      // Key lookups and joins by company: planning it (about 0.5 ms) cost PostgreSQL more than
      // running it for a company of ~240 contacts (0.4 ms), so it is planned once per connection.
      const { rows } = await sql<SummaryRow>`${reusablePlan}
        with recursive tree (id, level) as (
          select id, 1 from ${sql.table(COMPANIES)}
          where id = ${param.uuid(id)} and deleted_at is null ${scope ? sql`and ${scope}` : sql``}
          union all
          select child.id, tree.level + 1 from ${sql.table(COMPANIES)} child join tree on child.parent_company_id = tree.id
          where ${sql.lit(includeSubsidiaries)} and child.deleted_at is null and tree.level < ${sql.lit(MAX_HIERARCHY_LEVELS)}
        ), contacts as (
          select contact.id, contact.status from ${sql.table(CUSTOMERS)} contact
          where contact.company_id in (select id from tree) and contact.deleted_at is null
        ), by_status as (
          select status, count(*) as n from contacts group by status
        ), totals as (
          select p.currency, count(*) as orders, sum(p.total_minor) as total_minor,
                 ${isoText(sql`min(p.placed_at)`)} as first_order_at, ${isoText(sql`max(p.placed_at)`)} as last_order_at
          from ${sql.table(PURCHASES)} p
          where p.customer_id in (select id from contacts) and p.state <> 'refunded'
          group by p.currency
        ), deal_rows as (
          select d.currency, d.status, d.amount_minor,
                 d.status <> 'open' and d.closed_at > ${param.timestamptz(now)} - interval '365 days' as closed_lately,
                 (select cast(s.value ->> 'probability' as numeric)
                  from ${sql.table(PIPELINES)} pipeline, jsonb_array_elements(pipeline.stages) as s(value)
                  where pipeline.id = d.pipeline_id and s.value ->> 'key' = d.stage) as probability
          from ${sql.table(DEALS)} d
          where d.company_id in (select id from tree) and d.deleted_at is null
        ), deal_totals as (
          select currency,
                 count(*) filter (where status = 'open') as open_count,
                 coalesce(sum(amount_minor) filter (where status = 'open'), 0) as open_minor,
                 coalesce(sum(round(amount_minor * coalesce(probability, 0))) filter (where status = 'open'), 0) as weighted_minor,
                 count(*) filter (where status = 'won' and closed_lately) as won_count,
                 coalesce(sum(amount_minor) filter (where status = 'won' and closed_lately), 0) as won_minor,
                 count(*) filter (where status = 'lost' and closed_lately) as lost_count,
                 coalesce(sum(amount_minor) filter (where status = 'lost' and closed_lately), 0) as lost_minor
          from deal_rows
          where status = 'open' or closed_lately
          group by currency
        )
        select exists (select 1 from tree) as found,
               (select count(*) from tree) as companies,
               (select coalesce(jsonb_object_agg(status, n), '{}'::jsonb) from by_status) as by_status,
               (select coalesce(jsonb_agg(to_jsonb(totals) order by currency), '[]'::jsonb) from totals) as purchases,
               (select coalesce(jsonb_agg(to_jsonb(deal_totals) order by currency), '[]'::jsonb) from deal_totals) as deals`.execute(db);
      const row = rows[0];
      if (!row?.found) return null;
      const byStatus = fromJsonb(row.by_status as Record<string, number | string>);
      const contactsByStatus = Object.fromEntries(Object.entries(byStatus).map(([status, n]) => [status, Number(n)]));
      return {
        companies: Number(row.companies),
        contacts: Object.values(contactsByStatus).reduce((sum, n) => sum + n, 0),
        contactsByStatus,
        purchases: (fromJsonb(row.purchases as PurchaseTotalsRow[]) as PurchaseTotalsRow[]).map((totals) => ({
          currency: totals.currency,
          orders: Number(totals.orders),
          totalMinor: Number(totals.total_minor),
          firstOrderAt: toIsoTimestamp(totals.first_order_at),
          lastOrderAt: toIsoTimestamp(totals.last_order_at),
        })),
        deals: (fromJsonb(row.deals as DealTotalsRow[]) as DealTotalsRow[]).map((totals) => ({
          currency: totals.currency,
          open: { count: Number(totals.open_count), amountMinor: Number(totals.open_minor) },
          weightedAmountMinor: Number(totals.weighted_minor),
          wonLast365Days: { count: Number(totals.won_count), amountMinor: Number(totals.won_minor) },
          lostLast365Days: { count: Number(totals.lost_count), amountMinor: Number(totals.lost_minor) },
        })),
      };
    },
  };
}

export type CompanyStore = ReturnType<typeof createCompanyRepository>;
