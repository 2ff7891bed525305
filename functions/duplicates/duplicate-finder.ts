import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/database.js';
import { param, toIsoTimestamp, fromJsonb } from '../db/sql-values.js';
import type { RowScope } from '../kit/aggregate-table.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import { COMPANIES } from '../companies/company-table.js';
import { customerRulesOf, scoredCustomerCandidates, type CustomerCandidateRow, type CustomerProbe } from './customer-duplicate-rules.js';
import { companyRulesOf, domainsOfCompany, scoredCompanyCandidates, type CompanyCandidateRow } from './company-duplicate-rules.js';
import type { CompanyDuplicateRule, CustomerDuplicateRule } from './duplicate-scores.js';

/** Where a page of candidates starts: after this (score, id), best first. */
export interface CandidatePosition {
  readonly score: string;
  readonly id: string;
}

export interface CandidatePageRequest {
  readonly limit: number;
  readonly after?: CandidatePosition | undefined;
}

export interface CandidatePage<T> {
  readonly candidates: readonly T[];
  readonly next: CandidatePosition | null;
}

export interface CustomerCandidate {
  readonly customer: {
    readonly id: string;
    readonly name: string;
    readonly email: string;
    readonly phone: string | null;
    readonly company_id: string | null;
    readonly assigned_to: string | null;
    readonly status: string;
    readonly created_at: string;
  };
  readonly score: number;
  readonly rules: readonly CustomerDuplicateRule[];
  readonly name_similarity: number;
}

export interface CompanyCandidate {
  readonly company: {
    readonly id: string;
    readonly name: string;
    readonly domain: string | null;
    readonly domain_aliases: string[];
    readonly website: string | null;
    readonly country: string | null;
    readonly owner_id: string | null;
    readonly created_at: string;
  };
  readonly score: number;
  readonly rules: readonly CompanyDuplicateRule[];
  readonly name_similarity: number;
}

/** A probe of bound values (a search, a new customer): null leaves a rule out. */
export interface CustomerProbeValues {
  readonly email?: string | null | undefined;
  readonly phone?: string | null | undefined;
  readonly name?: string | null | undefined;
  readonly companyId?: string | null | undefined;
}

const text = (value: string | null | undefined): RawBuilder<string | null> => sql`cast(${value ?? null} as text)`;

export function boundCustomerProbe(values: CustomerProbeValues): CustomerProbe {
  return {
    email: text(values.email?.toLowerCase()),
    phone: text(values.phone),
    name: text(values.name),
    companyId: param.nullableUuid(values.companyId ?? null),
  };
}

export function toCustomerCandidate(row: CustomerCandidateRow): CustomerCandidate {
  return {
    customer: {
      id: row.id,
      name: row.name,
      email: row.email,
      phone: row.phone,
      company_id: row.company_id,
      assigned_to: row.assigned_to,
      status: row.status,
      created_at: toIsoTimestamp(row.created_at),
    },
    score: Number(row.score),
    rules: customerRulesOf(row),
    name_similarity: Number(row.name_similarity),
  };
}

function toCompanyCandidate(row: CompanyCandidateRow): CompanyCandidate {
  return {
    company: {
      id: row.id,
      name: row.name,
      domain: row.domain,
      domain_aliases: fromJsonb(row.domain_aliases) as string[],
      website: row.website,
      country: row.country,
      owner_id: row.owner_id,
      created_at: toIsoTimestamp(row.created_at),
    },
    score: Number(row.score),
    rules: companyRulesOf(row),
    name_similarity: Number(row.name_similarity),
  };
}

/** Best first, then by id; a page resumes strictly after the last (score, id) of the previous one. */
function pageOf(scored: RawBuilder<unknown>, page: CandidatePageRequest): RawBuilder<unknown> {
  const after = page.after
    ? sql`where (s.score < cast(${page.after.score} as numeric) or (s.score = cast(${page.after.score} as numeric) and s.id > ${param.uuid(page.after.id)}))`
    : sql``;
  return sql`select s.* from (${scored}) as s ${after} order by s.score desc, s.id limit ${page.limit + 1}`;
}

function toPage<Row extends { id: string; score: number | string }, T>(rows: Row[], limit: number, map: (row: Row) => T): CandidatePage<T> {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  const next = rows.length > limit && last ? { score: String(Number(last.score)), id: last.id } : null;
  return { candidates: kept.map(map), next };
}

/** The subject (if visible) and one page of its candidates; no row or a row with `subject_found` 0: no such subject. */
function subjectPage(subject: RawBuilder<unknown>, scored: RawBuilder<unknown>, page: CandidatePageRequest): RawBuilder<unknown> {
  return sql`
    with subject as (${subject})
    select found.n as subject_found, page.* from (select count(*) as n from subject) as found
    left join lateral (${pageOf(scored, page)}) as page on found.n > 0
    order by page.score desc, page.id`;
}

const fromSubject = (column: string) => sql`(select ${sql.ref(column)} from subject)`;

/** The statements of the duplicate reads, one each (exported for the plan tests). */
export const duplicateStatements = {
  /** A customer compared on its own email, phone, name and company. */
  ofCustomer(id: string, scope: RowScope, page: CandidatePageRequest): RawBuilder<unknown> {
    const probe: CustomerProbe = {
      email: fromSubject('email'),
      phone: fromSubject('phone'),
      name: fromSubject('name'),
      companyId: fromSubject('company_id'),
    };
    const subject = sql`select * from ${sql.table(CUSTOMERS)} where id = ${param.uuid(id)} and deleted_at is null${scope ? sql` and ${scope}` : sql``}`;
    return subjectPage(subject, scoredCustomerCandidates(probe, { exclude: param.uuid(id), scope }), page);
  },

  /** Values that may not be stored yet. */
  searchCustomers(values: CustomerProbeValues, scope: RowScope, page: CandidatePageRequest): RawBuilder<unknown> {
    return pageOf(scoredCustomerCandidates(boundCustomerProbe(values), { scope }), page);
  },

  /** A company compared on its domains, website host, name and country. */
  ofCompany(id: string, scope: RowScope, page: CandidatePageRequest): RawBuilder<unknown> {
    const subject = sql`select * from ${sql.table(COMPANIES)} where ${sql.ref(`${COMPANIES}.id`)} = ${param.uuid(id)}
      and ${sql.ref(`${COMPANIES}.deleted_at`)} is null${scope ? sql` and ${scope}` : sql``}`;
    const probe = { name: fromSubject('name'), country: fromSubject('country'), domains: domainsOfCompany(param.uuid(id)) };
    return subjectPage(subject, scoredCompanyCandidates(probe, { exclude: param.uuid(id), scope }), page);
  },
};

/**
 * The possible duplicates of a live record (a subject) or of a probe, one statement each. A
 * subject outside the caller's scope is not found (null); candidates outside it are left out.
 */
export function createDuplicateFinder(db: Kysely<Database>) {
  async function subjectRows<Row>(statement: RawBuilder<unknown>): Promise<Row[] | null> {
    const { rows } = await (statement as RawBuilder<Row & { subject_found: number | string; id: string | null }>).execute(db);
    if (Number(rows[0]?.subject_found ?? 0) === 0) return null;
    return rows.filter((row) => row.id !== null);
  }

  return {
    /** GET /customers/{id}/duplicates. */
    async ofCustomer(id: string, scope: RowScope, page: CandidatePageRequest): Promise<CandidatePage<CustomerCandidate> | null> {
      const rows = await subjectRows<CustomerCandidateRow>(duplicateStatements.ofCustomer(id, scope, page));
      return rows && toPage(rows, page.limit, toCustomerCandidate);
    },

    /** POST /customers/duplicates/search. */
    async searchCustomers(
      values: CustomerProbeValues,
      scope: RowScope,
      page: CandidatePageRequest,
    ): Promise<CandidatePage<CustomerCandidate>> {
      const { rows } = await duplicateStatements.searchCustomers(values, scope, page).execute(db);
      return toPage(rows as CustomerCandidateRow[], page.limit, toCustomerCandidate);
    },

    /** GET /companies/{id}/duplicates. */
    async ofCompany(id: string, scope: RowScope, page: CandidatePageRequest): Promise<CandidatePage<CompanyCandidate> | null> {
      const rows = await subjectRows<CompanyCandidateRow>(duplicateStatements.ofCompany(id, scope, page));
      return rows && toPage(rows, page.limit, toCompanyCandidate);
    },
  };
}

export type DuplicateFinder = ReturnType<typeof createDuplicateFinder>;
