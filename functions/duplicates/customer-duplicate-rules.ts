import { sql, type RawBuilder } from 'kysely';
import type { RowScope } from '../kit/aggregate-table.js';
import { ref, refList, table } from '../db/sql-names.js';
import { shared, statementTemplate } from '../db/statement-cache.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import { CUSTOMER_EMAILS } from '../merge/merge-tables.js';
import { DUPLICATE_SCORES as S, type CustomerDuplicateRule } from './duplicate-scores.js';

/**
 * What a customer is compared on, as SQL values (bound parameters, or a subject row's columns):
 * null leaves its rule out. `email` is already in the form the unique index compares (lower case).
 */
export interface CustomerProbe {
  readonly email: RawBuilder<unknown>;
  readonly phone: RawBuilder<unknown>;
  readonly name: RawBuilder<unknown>;
  readonly companyId: RawBuilder<unknown>;
}

/** The columns of a scored customer candidate, as every statement built here returns them. */
export interface CustomerCandidateRow {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  company_id: string | null;
  assigned_to: string | null;
  status: string;
  created_at: Date | string;
  email_match: boolean | string;
  phone_match: boolean | string;
  name_match: boolean | string;
  company_match: boolean | string;
  name_similarity: number | string;
  score: number | string;
}

/**
 * Whether the live customer `alias` holds `email`, as its own or as the alias of a customer merged
 * into it (docs/merge.md). The one place email identity is decided: every rule and warning follows.
 * One primary-key lookup of the table of live emails and aliases.
 */
export function emailMatches(alias: string, email: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`${ref(`${alias}.id`)} = (select e.customer_id from ${table(CUSTOMER_EMAILS)} as e where e.email = ${email})`;
}

/** Whether two names are alike: `%` is answered by the trigram index, the similarity is the documented threshold. */
function namesAlike(name: RawBuilder<unknown>, probe: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(${name} % ${probe} and similarity(${name}, ${probe}) >= ${LIT.nameThreshold})`;
}

/** The scores as SQL literals, built once (they are in every create's statement). */
const LIT = {
  nameThreshold: shared(sql.lit(S.nameThreshold)),
  email: shared(sql.lit(S.email)),
  phone: shared(sql.lit(S.phone)),
  nameWeight: shared(sql.lit(S.nameWeight)),
  agreement: shared(sql.lit(S.agreement)),
  warningCandidates: shared(sql.lit(S.warningCandidates)),
};

const COLUMNS = ['id', 'name', 'email', 'phone', 'company_id', 'assigned_to', 'status', 'created_at'];
/** The candidate's columns as the branches and the scoring select name them (built once). */
const CANDIDATE_COLUMNS = refList(COLUMNS.map((column) => `c.${column}`));

/**
 * The live customers some rule may match (within scope, without `exclude`), each branch one index
 * lookup (the unique email index, the phone index, the trigram index): never a read of the whole
 * table. The branches return the candidates' columns themselves, so that no join back to the
 * table is left for the planner to turn into a scan of it, with the name's similarity computed
 * once per row (`similarity`: pg_trgm's trigram comparison is the costliest part of scoring; as
 * an expression of the outer query the planner repeated it in every place the score uses it). An
 * erased customer ("[erased]", see docs/privacy.md) is nobody's duplicate.
 */
function candidateRows(probe: CustomerProbe, filters: readonly RawBuilder<unknown>[], sameNameLimit?: number): RawBuilder<unknown> {
  const columns = sql`${CANDIDATE_COLUMNS}, similarity(c.name, ${probe.name}) as similarity`;
  const filtered = sql.join(
    filters.map((filter) => sql` and ${filter}`),
    sql``,
  );
  const branch = (match: RawBuilder<unknown>) =>
    sql`select ${columns} from ${table(CUSTOMERS)} as c where c.deleted_at is null and not c.erased and ${match}${filtered}`;
  // Every name alike (the trigram GIN index answers `%`), or, for a create's warning, the same
  // name (a btree lookup): a common name is alike to thousands, too many to score in every insert.
  // Same-name customers all have the same similarity, so among those the phone branch does not
  // also return, the best are those of the same company, then the lowest ids: the first
  // `sameNameLimit` by id of the same company and of all hold every one that can make the warning,
  // and each is a walk of the (lower(name), id) index that stops there, however common the name.
  const sameName = (match: RawBuilder<unknown>) =>
    sql`(${branch(sql`lower(c.name) = lower(${probe.name})${match}`)} order by lower(c.name), c.id limit ${sql.lit(sameNameLimit ?? 0)})`;
  const names =
    sameNameLimit === undefined
      ? branch(namesAlike(ref('c.name'), probe.name))
      : sql`${sameName(sql``)} union ${sameName(sql` and c.company_id = ${probe.companyId}`)}`;
  return sql`${branch(emailMatches('c', probe.email))}
    union ${branch(sql`c.phone = ${probe.phone}`)}
    union ${names}`;
}

/**
 * The candidates of `probe` with the rules each matched and its score, as a select (columns of
 * CustomerCandidateRow), not ordered. `exclude` is the customer compared (never its own duplicate),
 * `scope` who the caller may see (a sales rep: their customers); `sameNameLimit` narrows the name
 * rule to the same name (case aside) and to that many of its best candidates (a create's warning).
 */
export function scoredCustomerCandidates(
  probe: CustomerProbe,
  options: { readonly exclude?: RawBuilder<unknown>; readonly scope?: RowScope; readonly sameNameLimit?: number },
): RawBuilder<CustomerCandidateRow> {
  const filters = [...(options.exclude ? [sql`c.id <> ${options.exclude}`] : []), ...(options.scope ? [options.scope] : [])];
  return sql<CustomerCandidateRow>`
    select ${CANDIDATE_COLUMNS}, m.email_match, m.phone_match, m.name_match, m.company_match, round(m.similarity::numeric, 3) as name_similarity,
      round(least(1,
        case when m.email_match then ${LIT.email} else 0 end
        + case when m.phone_match then ${LIT.phone} else 0 end
        + case when m.name_match then ${LIT.nameWeight} * m.similarity else 0 end
        + case when m.company_match and (m.phone_match or m.name_match) then ${LIT.agreement} else 0 end
      )::numeric, 3) as score
    from (${candidateRows(probe, filters, options.sameNameLimit)}) as c
    cross join lateral (
      select coalesce(${emailMatches('c', probe.email)}, false) as email_match,
        coalesce(c.phone = ${probe.phone}, false) as phone_match,
        coalesce(c.similarity, 0) >= ${LIT.nameThreshold} as name_match,
        coalesce(c.company_id = ${probe.companyId}, false) as company_match,
        coalesce(c.similarity, 0)::float8 as similarity
    ) as m`;
}

const truthy = (value: boolean | string) => value === true || value === 't' || value === 'true';

/** The rules a candidate row matched, in documented order (company only raises a phone or name match). */
export function customerRulesOf(row: CustomerCandidateRow): CustomerDuplicateRule[] {
  const rules: CustomerDuplicateRule[] = [];
  if (truthy(row.email_match)) rules.push('email');
  if (truthy(row.phone_match)) rules.push('phone');
  if (truthy(row.name_match)) rules.push('name');
  if (truthy(row.company_match) && (truthy(row.phone_match) || truthy(row.name_match))) rules.push('company');
  return rules;
}

export { truthy };

/**
 * The possible duplicates of a customer being inserted, as one jsonb array (best first, at most
 * DUPLICATE_SCORES.warningCandidates): a read of the insert statement itself, so a create's
 * warning costs no Data API call. Email is not among them: a taken email stops the insert (409).
 * Candidates share the phone or the name (case aside), each scored by every rule as everywhere
 * (a same-phone candidate with a similar name scores the name too); names that are only alike
 * are for GET …/duplicates and the duplicate search, which need not run in every insert.
 */
export function possibleDuplicatesOfNew(row: (column: string) => RawBuilder<unknown>, scope: RowScope): RawBuilder<unknown> {
  return duplicatesOfNew(row('phone'), row('name'), row('company_id'), scope);
}

/**
 * The read itself, built once per shape (the values' own shapes, a scope or none) and bound per
 * insert (functions/db/statement-cache.ts): some 400 nodes around four values.
 */
const duplicatesOfNew = statementTemplate(
  (phone: RawBuilder<unknown>, name: RawBuilder<unknown>, companyId: RawBuilder<unknown>, scope: RowScope) => {
    const probe: CustomerProbe = {
      email: sql`cast(null as text)`,
      phone: sql`cast(${phone} as text)`,
      name: sql`cast(${name} as text)`,
      companyId,
    };
    return sql`(select coalesce(jsonb_agg(to_jsonb(w) order by w.score desc, w.id), '[]'::jsonb) from (
    select * from (${scoredCustomerCandidates(probe, { scope, sameNameLimit: S.warningCandidates })}) as s
    order by s.score desc, s.id limit ${LIT.warningCandidates}
  ) as w)`;
  },
);
