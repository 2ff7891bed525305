import type { Kysely } from 'kysely';
import { createCompany, type NewCompanyInput } from '../../domain/company/create-company.js';
import { domainsOf, type Company, type CompanyField } from '../../domain/company/company.js';
import { COMPANY_KIND, type CompanyChange, type CompanyChangeOutcome } from '../../domain/company/company-change.js';
import { deleteCompany } from '../../domain/company/company-commands.js';
import { companyNotFound, hierarchyCycle } from '../../domain/company/company-errors.js';
import type { CompanyEvent, CompanyEventType } from '../../domain/company/company.events.js';
import type {
  CompanyListQuery,
  CompanyPage,
  CompanySummary,
  CompanyUniqueField,
  CompanyVisibility,
} from '../../domain/company/company-repository.js';
import type { DomainError } from '../../domain/errors.js';
import { mergedInto } from '../../domain/merge/merge-errors.js';
import type { DomainName } from '../../domain/shared/domain-name.js';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { ChildPage, PageRequest } from '../../domain/shared/paging.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import type { Database } from '../db/database.js';
import { createAggregateService, type AfterCommit, type ChangeBuilder, type MergedRecords } from '../kit/aggregate-service.js';
import { detachCompanyContacts } from '../customers/company-contacts.js';
import { createCompanyRepository, type CompanyStore } from './company-repository.js';
import type { CompanyRule } from './company-table.js';

export interface CompanyServiceDependencies {
  readonly db: Kysely<Database>;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly afterCommit?: AfterCommit | undefined;
}

export interface CompanyChangeOptions {
  readonly visibility?: CompanyVisibility | undefined;
  readonly expectedVersion?: number | undefined;
}

/** A soft delete that was refused; the transaction that detached contacts is rolled back with it. */
class DeleteRefused extends Error {
  constructor(readonly error: DomainError) {
    super(error.code);
  }
}

/** A rule the delete broke; explained after the rollback (the failed transaction can answer nothing). */
class DeleteBrokeRule extends Error {
  constructor(readonly rule: string) {
    super(rule);
  }
}

/** Company use cases: the write kit's create/change/get, plus lookups, lists, the rollup and delete with contacts. */
export function createCompanyService(deps: CompanyServiceDependencies) {
  const companies = createCompanyRepository(deps.db);
  // A company merged into another answers 404 COMPANY.MERGED naming its survivor (docs/merge.md), to a
  // caller who could have seen it: one more read, on a 404 only.
  const MERGED_COMPANIES: MergedRecords<CompanyVisibility> = {
    survivorOf: (id, visibility) => companies.findMergedInto(id, visibility),
    error: (id, survivor) => mergedInto('company', id, survivor),
  };

  /** Names the other company only to a caller who may see it. */
  async function existing(repository: CompanyStore, field: CompanyUniqueField, values: readonly string[], visibility?: CompanyVisibility) {
    const id = await repository.findIdByUnique(field, values, visibility);
    const named: JsonObject = id === null ? {} : { existing_company_id: id };
    return named;
  }

  /** The error for a rule a write broke, with what the caller tried. */
  async function conflictError(
    rule: string,
    attempted: Partial<Company> & { id?: string },
    visibility: CompanyVisibility | undefined,
    repository: CompanyStore = companies,
  ): Promise<DomainError> {
    switch (rule as CompanyRule | 'domain_aliases' | 'sales_rep') {
      case 'domain':
      case 'domain_aliases': {
        const domains = domainsOf({ domain: attempted.domain ?? null, domainAliases: attempted.domainAliases ?? [] });
        const holder = await existing(repository, 'domain', domains, visibility);
        const holderId = holder['existing_company_id'];
        const taken = typeof holderId === 'string' ? await takenDomains(repository, domains, holderId) : domains;
        return {
          code: 'COMPANY.DOMAIN_TAKEN',
          message: `Another company already uses ${taken.join(', ')} as its domain or an alias. Use that company, or remove the domain from it first.`,
          details: { field: attempted.domain && taken.includes(attempted.domain) ? 'domain' : 'domain_aliases', domains: taken, ...holder },
        };
      }
      case 'sales_rep':
        return {
          code: 'COMPANY.UNKNOWN_SALES_REP',
          message: `User ${attempted.ownerId ?? ''} is not an active sales rep. Sales reps come from Identity's role events (UserRoleGranted with role sales_rep).`,
          details: { field: 'owner_id', owner_id: attempted.ownerId ?? null },
        };
      case 'external_id':
        return {
          code: 'COMPANY.EXTERNAL_ID_TAKEN',
          message: `Another company already has external_id ${attempted.externalId ?? ''}.`,
          details: { field: 'external_id', ...(await existing(repository, 'external_id', [attempted.externalId ?? ''], visibility)) },
        };
      case 'parent_live':
        return {
          code: 'COMPANY.UNKNOWN_PARENT',
          message: `parent_company_id ${attempted.parentCompanyId ?? ''} names no live company; give the id of an existing company.`,
          details: { field: 'parent_company_id', parent_company_id: attempted.parentCompanyId ?? null },
        };
      case 'hierarchy_cycle':
        return hierarchyCycle(attempted.id ?? '', attempted.parentCompanyId ?? '');
      case 'hierarchy_depth':
        return {
          code: 'COMPANY.HIERARCHY_TOO_DEEP',
          message:
            'A company hierarchy has at most 10 levels (the top-level company is the first); this parent would make it deeper. Attach it higher up.',
          details: { field: 'parent_company_id', parent_company_id: attempted.parentCompanyId ?? null, max_levels: 10 },
        };
      case 'contacts': {
        const { contacts } = await repository.dependents(attempted.id ?? '');
        return {
          code: 'COMPANY.HAS_CONTACTS',
          message: `The company still has ${contacts} live contact(s). Move or delete them first, or delete with ?detach_contacts=true to clear their company.`,
          details: { contact_count: contacts },
        };
      }
      case 'open_deals': {
        const { openDeals } = await repository.dependents(attempted.id ?? '');
        return {
          code: 'COMPANY.HAS_OPEN_DEALS',
          message: `The company has ${openDeals} open deal(s). Win, lose, move to another company or delete them first.`,
          details: { deal_count: openDeals },
        };
      }
      case 'subsidiaries': {
        const { subsidiaries } = await repository.dependents(attempted.id ?? '');
        return {
          code: 'COMPANY.HAS_SUBSIDIARIES',
          message: `The company is the parent of ${subsidiaries} live subsidiar${subsidiaries === 1 ? 'y' : 'ies'}. Give them another parent (or none) first.`,
          details: { subsidiary_count: subsidiaries },
        };
      }
    }
    throw new Error(`company rule ${rule} has no error`);
  }

  async function takenDomains(repository: CompanyStore, domains: readonly DomainName[], holderId: string): Promise<DomainName[]> {
    const holder = await repository.findById(holderId);
    const theirs = holder ? domainsOf(holder) : [];
    const taken = domains.filter((domain) => theirs.includes(domain));
    return taken.length > 0 ? taken : [...domains];
  }

  const kit = createAggregateService<Company, CompanyField, CompanyEventType, CompanyVisibility>({
    kind: COMPANY_KIND,
    repository: companies,
    now: deps.now,
    newId: deps.newId,
    afterCommit: deps.afterCommit,
    notFound: companyNotFound,
    conflict: (rule, attempted, visibility, id) => conflictError(rule, { ...attempted, id }, visibility),
    merged: MERGED_COMPANIES,
  });

  return {
    async create(
      input: NewCompanyInput,
      actor: string,
      options: { readonly visibility?: CompanyVisibility | undefined } = {},
    ): Promise<Result<{ company: Company; event: CompanyEvent }, DomainError>> {
      const created = await kit.create(
        ({ id, ...context }) => {
          const decided = createCompany(input, { ...context, companyId: id });
          return decided.ok ? ok({ entity: decided.value.company, event: decided.value.event }) : decided;
        },
        actor,
        { scope: options.visibility },
      );
      return created.ok ? ok({ company: created.value.entity, event: created.value.event }) : created;
    },

    /** A company merged into another says where it went (404 COMPANY.MERGED, docs/merge.md), on every read and write of it. */
    get: (id: string, visibility?: CompanyVisibility): Promise<Result<Company, DomainError>> => kit.get(id, visibility),

    async getByDomain(domain: DomainName, visibility?: CompanyVisibility): Promise<Result<Company, DomainError>> {
      const company = await companies.findByDomain(domain, visibility);
      return company
        ? ok(company)
        : err({ code: 'COMPANY.NOT_FOUND', message: `No company has ${domain} as its domain or an alias (it may have been deleted).` });
    },

    list: (query: CompanyListQuery): Promise<CompanyPage> => companies.list(query),

    /** The id of the live company the caller may see that holds a domain (or alias) or an external id. */
    findIdByUnique: (field: CompanyUniqueField, value: string, visibility?: CompanyVisibility) =>
      companies.findIdByUnique(field, [value], visibility),

    async change(
      id: string,
      build: ChangeBuilder<Company, CompanyEventType, CompanyField>,
      actor: string,
      options: CompanyChangeOptions = {},
    ): Promise<Result<CompanyChangeOutcome, DomainError>> {
      return kit.change(id, build, actor, { scope: options.visibility, expectedVersion: options.expectedVersion });
    },

    /**
     * Soft-deletes the company. With `detachContacts`, its live contacts lose their company_id
     * (each with a CustomerUpdated event) in the same transaction; a contact added meanwhile
     * makes the delete fail whole (HAS_CONTACTS), never half done.
     */
    async delete(
      id: string,
      actor: string,
      options: CompanyChangeOptions & { readonly detachContacts?: boolean } = {},
    ): Promise<Result<{ company: Company; events: readonly DomainEvent[] }, DomainError>> {
      if (!options.detachContacts) {
        const outcome = await this.change(id, (now) => deleteCompany(now), actor, options);
        if (!outcome.ok) return outcome;
        return ok({ company: outcome.value.entity, events: outcome.value.kind === 'changed' ? [outcome.value.event] : [] });
      }
      try {
        const done = await deps.db.transaction().execute(async (trx) => {
          const repository = createCompanyRepository(trx);
          const transactional = createAggregateService<Company, CompanyField, CompanyEventType, CompanyVisibility>({
            kind: COMPANY_KIND,
            repository,
            now: deps.now,
            newId: deps.newId,
            notFound: companyNotFound,
            conflict: async (rule) => {
              throw new DeleteBrokeRule(rule);
            },
          });
          const target = await repository.findById(id, options.visibility);
          if (!target) throw new DeleteRefused(companyNotFound(id));
          if (options.expectedVersion !== undefined && options.expectedVersion !== target.version) {
            throw new DeleteRefused(COMPANY_KIND.versionMismatch(options.expectedVersion, target));
          }
          const detached = await detachCompanyContacts(trx, id, transactional.context(actor));
          const outcome = await transactional.change(id, (now) => deleteCompany(now), actor, {
            scope: options.visibility,
            expectedVersion: options.expectedVersion,
          });
          if (!outcome.ok) throw new DeleteRefused(outcome.error);
          if (outcome.value.kind !== 'changed') throw new DeleteRefused(companyNotFound(id));
          return { company: outcome.value.entity, events: [...detached, outcome.value.event] };
        });
        await deps.afterCommit?.(done.events);
        return ok(done);
      } catch (error) {
        if (error instanceof DeleteRefused) return kit.explainMissing(id, err(error.error), options.visibility);
        if (error instanceof DeleteBrokeRule) return err(await conflictError(error.rule, { id }, options.visibility));
        throw error;
      }
    },

    async history(id: string, page: PageRequest, visibility?: CompanyVisibility): Promise<Result<ChildPage<CompanyEvent>, DomainError>> {
      const events = await companies.history(id, page, visibility);
      return events ? ok(events) : kit.explainMissing(id, err(companyNotFound(id)), visibility);
    },

    async summary(id: string, includeSubsidiaries: boolean, visibility?: CompanyVisibility): Promise<Result<CompanySummary, DomainError>> {
      const summary = await companies.summary(id, includeSubsidiaries, deps.now().toISOString(), visibility);
      return summary ? ok(summary) : kit.explainMissing(id, err(companyNotFound(id)), visibility);
    },
  };
}

export type CompanyService = ReturnType<typeof createCompanyService>;
export type { CompanyChange };
