import { sql, type RawBuilder } from 'kysely';
import type { RowScope } from '../kit/aggregate-table.js';
import { COMPANIES, COMPANY_DOMAINS } from '../companies/company-table.js';
import { DUPLICATE_SCORES as S, type CompanyDuplicateRule } from './duplicate-scores.js';
import { truthy } from './customer-duplicate-rules.js';

/**
 * What a company is compared on, as SQL: its name and country (null leaves the rule out) and a
 * select of its domains (column `domain`: primary, aliases and its website's host).
 */
export interface CompanyProbe {
  readonly name: RawBuilder<unknown>;
  readonly country: RawBuilder<unknown>;
  readonly domains: RawBuilder<unknown>;
}

export interface CompanyCandidateRow {
  id: string;
  name: string;
  domain: string | null;
  domain_aliases: unknown;
  website: string | null;
  country: string | null;
  owner_id: string | null;
  created_at: Date | string;
  domain_match: boolean | string;
  name_match: boolean | string;
  country_match: boolean | string;
  name_similarity: number | string;
  score: number | string;
}

/**
 * The host of a stored website (always an http(s) URL), without `www.`: the expression of the
 * index idx_companies_website_host (migration duplicate-indexes), which the planner matches as written.
 */
export function websiteHost(website: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql`lower(substring(${website} from '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:www[0-9]*\\.)?([^/:?#@]+)'))`;
}

const TABLE = sql.table(COMPANIES);
const column = (name: string) => sql.ref(`${COMPANIES}.${name}`);

/**
 * The domains of the live company `id` (primary and aliases, from the domain index table) and the
 * host of its website: what the domain rule compares.
 */
export function domainsOfCompany(id: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`select d.domain from ${sql.table(COMPANY_DOMAINS)} as d where d.company_id = ${id}
    union select ${websiteHost(column('website'))} from ${TABLE} where ${column('id')} = ${id} and ${column('website')} is not null`;
}

const COLUMNS = ['id', 'name', 'domain', 'domain_aliases', 'website', 'country', 'owner_id', 'created_at'];

/**
 * Live companies some rule may match (within scope, without `exclude`), each branch one index
 * lookup (domain table, website host, trigram), returning the candidates' columns themselves (no
 * join back to the table for the planner to turn into a scan of it).
 */
function candidateRows(probe: CompanyProbe, filters: readonly RawBuilder<unknown>[]): RawBuilder<unknown> {
  const branch = (match: RawBuilder<unknown>, join: RawBuilder<unknown> = sql``) =>
    sql`select ${sql.join(COLUMNS.map(column))} from ${TABLE}${join}
      where ${column('deleted_at')} is null and ${match}${sql.join(
        filters.map((filter) => sql` and ${filter}`),
        sql``,
      )}`;
  const domains = sql.table(COMPANY_DOMAINS);
  return sql`${branch(sql`d.domain in (${probe.domains})`, sql` join ${domains} as d on d.company_id = ${column('id')}`)}
    union ${branch(sql`${column('website')} is not null and ${websiteHost(column('website'))} in (${probe.domains})`)}
    union ${branch(sql`${column('name')} % ${probe.name} and similarity(${column('name')}, ${probe.name}) >= ${sql.lit(S.nameThreshold)}`)}`;
}

/** The candidates of `probe` with their rules and score (columns of CompanyCandidateRow), not ordered. */
export function scoredCompanyCandidates(
  probe: CompanyProbe,
  options: { readonly exclude?: RawBuilder<unknown>; readonly scope?: RowScope },
): RawBuilder<CompanyCandidateRow> {
  const similarity = sql`coalesce(similarity(c.name, ${probe.name}), 0)`;
  const filters = [...(options.exclude ? [sql`${column('id')} <> ${options.exclude}`] : []), ...(options.scope ? [options.scope] : [])];
  return sql<CompanyCandidateRow>`
    select c.*, m.domain_match, m.name_match, m.country_match, round(m.similarity::numeric, 3) as name_similarity,
      round(least(1,
        case when m.domain_match then ${sql.lit(S.domain)} else 0 end
        + case when m.name_match then ${sql.lit(S.nameWeight)} * m.similarity else 0 end
        + case when m.country_match and m.name_match then ${sql.lit(S.agreement)} else 0 end
      )::numeric, 3) as score
    from (${candidateRows(probe, filters)}) as c
    cross join lateral (
      select exists (
          select 1 from ${sql.table(COMPANY_DOMAINS)} as own where own.company_id = c.id and own.domain in (${probe.domains})
        ) or coalesce(${websiteHost(sql.ref('c.website'))} in (${probe.domains}), false) as domain_match,
        ${similarity} >= ${sql.lit(S.nameThreshold)} as name_match,
        coalesce(c.country = ${probe.country}, false) as country_match,
        ${similarity}::float8 as similarity
    ) as m`;
}

/** The rules a candidate row matched, in documented order (country only raises a name match). */
export function companyRulesOf(row: CompanyCandidateRow): CompanyDuplicateRule[] {
  const rules: CompanyDuplicateRule[] = [];
  if (truthy(row.domain_match)) rules.push('domain');
  if (truthy(row.name_match)) rules.push('name');
  if (truthy(row.country_match) && truthy(row.name_match)) rules.push('country');
  return rules;
}
