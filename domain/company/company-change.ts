import { validationFailed, type DomainError } from '../errors.js';
import { decideChange, type AggregateChange, type AggregateKind, type ChangeOutcome as Outcome } from '../shared/aggregate-change.js';
import type { ChangeContext } from '../shared/domain-event.js';
import type { DomainName } from '../shared/domain-name.js';
import type { Result } from '../shared/result.js';
import { sameTagSet, type Tag } from '../shared/tags.js';
import { COMPANY_PUBLIC_NAMES, type Company, type CompanyField } from './company.js';
import { hierarchyCycle } from './company-errors.js';
import type { CompanyEvent, CompanyEventType } from './company.events.js';

/** A change to an existing company: the fields it sets and its event. */
export type CompanyChange = AggregateChange<Company, CompanyEventType, CompanyField>;
export type CompanyChangeOutcome = Outcome<Company, CompanyEvent>;

const sameSet = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((value) => b.includes(value));

/** What the change core needs to know about companies. */
export const COMPANY_KIND: AggregateKind<Company, CompanyField> = {
  type: 'company',
  publicNames: COMPANY_PUBLIC_NAMES,
  sameValue: {
    tags: (a, b) => sameTagSet(a as readonly Tag[], b as readonly Tag[]),
    domainAliases: (a, b) => sameSet(a as readonly DomainName[], b as readonly DomainName[]),
  },
  versionMismatch: (expected, company) => ({
    code: 'COMPANY.VERSION_MISMATCH',
    message: `The company was changed since version ${expected}; it is now at version ${company.version}. Read it again and retry.`,
    details: { current_version: company.version },
  }),
  // Rules that need other rows (a live parent, no cycle through ancestors, depth) are the database's.
  invariant: (next) => {
    if (next.parentCompanyId === next.id) return hierarchyCycle(next.id, next.id);
    if (next.domain !== null && next.domainAliases.includes(next.domain)) {
      return validationFailed([
        { field: 'domain_aliases', message: `${next.domain} is the primary domain; remove it from domain_aliases in the same request` },
      ]);
    }
    return null;
  },
};

/** Decides a change against the current company: the new state and its event, no-op, or why not. */
export function applyCompanyChange(
  company: Company,
  change: CompanyChange,
  context: ChangeContext,
): Result<CompanyChangeOutcome, DomainError> {
  return decideChange(COMPANY_KIND, company, change, context);
}
