import { validationFailed, type DomainError } from '../errors.js';
import { mergedInto } from '../merge/merge-errors.js';
import type { DomainName } from '../shared/domain-name.js';
import { err, ok, type Result } from '../shared/result.js';
import { MAX_TAGS, type Tag } from '../shared/tags.js';
import { COMPANY_PUBLIC_NAMES, type Company } from './company.js';
import { companyNotFound, hierarchyCycle } from './company-errors.js';
import { MAX_DOMAIN_ALIASES } from './company-fields.js';

/**
 * The scalar fields a company merge fills from the losers when the survivor's is blank; `field_choices`
 * may name their source. Not the primary domain (the losers' become aliases), the external id (unique:
 * the survivor's stays) nor the parent (a place in the hierarchy, not a property).
 */
export const CHOOSABLE_COMPANY_FIELDS = ['name', 'industry', 'sizeBand', 'country', 'phone', 'website', 'ownerId'] as const;
export type ChoosableCompanyField = (typeof CHOOSABLE_COMPANY_FIELDS)[number];

export type MergedCompanyFields = Pick<Company, ChoosableCompanyField | 'domainAliases' | 'tags'>;

export interface CompanyMergeRequest {
  readonly survivorId: string;
  readonly mergeIds: readonly string[];
  readonly fieldChoices: Partial<Record<ChoosableCompanyField, string>>;
}

/** The records a merge names, as stored (deleted ones too, so that a merged one can say where it went). */
export interface CompanyMergeCandidates {
  readonly found: ReadonlyMap<string, Company & { readonly mergedInto: string | null }>;
  /** The survivor's ancestors, nearest first: a loser among them would become its own ancestor. */
  readonly survivorAncestors: readonly string[];
}

export interface CompanyMergeDecision {
  readonly fields: MergedCompanyFields;
  /** The survivor's fields that change, by public name, `{from, to}`. */
  readonly changes: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
  /** Which record each merged field's value came from, by public name. */
  readonly fieldSources: Readonly<Record<string, string>>;
  /** The losers' domains (primary and aliases) that become the survivor's aliases. */
  readonly domainsTaken: readonly DomainName[];
}

const blank = (value: unknown) => value === null || value === undefined;

/**
 * Decides a company merge (docs/merge.md): which records take part, and the survivor's fields,
 * domain aliases and tags afterwards. Pure: the shell reads the records and writes the result.
 */
export function decideCompanyMerge(
  request: CompanyMergeRequest,
  candidates: CompanyMergeCandidates,
): Result<CompanyMergeDecision, DomainError> {
  const { survivorId, mergeIds } = request;
  if (mergeIds.includes(survivorId)) {
    return err({ code: 'MERGE.INVALID_SET', message: 'merge_ids names the survivor itself; list only the duplicates to merge into it.' });
  }
  if (new Set(mergeIds).size !== mergeIds.length) {
    return err({ code: 'MERGE.INVALID_SET', message: 'merge_ids names a company twice; list each duplicate once.' });
  }
  const records: Company[] = [];
  for (const id of [survivorId, ...mergeIds]) {
    const record = candidates.found.get(id);
    if (!record) return err(companyNotFound(id));
    if (record.deletedAt !== null) return err(record.mergedInto ? mergedInto('company', id, record.mergedInto) : companyNotFound(id));
    records.push(record);
  }
  // A loser above the survivor would hand the survivor its own subtree: merging a parent into its child.
  const ancestor = candidates.survivorAncestors.find((id) => mergeIds.includes(id));
  if (ancestor !== undefined) {
    const refused = hierarchyCycle(survivorId, ancestor);
    return err({
      ...refused,
      message: `Company ${ancestor} is above ${survivorId} in the hierarchy; merging it into ${survivorId} would make the survivor its own parent. Merge the other way round, or move ${survivorId} out first.`,
      details: { survivor_id: survivorId, ancestor_id: ancestor },
    });
  }

  const [survivor, ...unordered] = records as [Company, ...Company[]];
  // Blanks are filled from the most recently updated loser first.
  const losers = [...unordered].sort((a, b) =>
    a.updatedAt === b.updatedAt ? a.id.localeCompare(b.id) : a.updatedAt < b.updatedAt ? 1 : -1,
  );
  const everyone = [survivor, ...losers];
  for (const [field, source] of Object.entries(request.fieldChoices) as [ChoosableCompanyField, string][]) {
    if (!everyone.some((record) => record.id === source)) {
      return err(
        validationFailed([{ field: `field_choices.${COMPANY_PUBLIC_NAMES[field]}`, message: 'must be the survivor or one of merge_ids' }]),
      );
    }
  }

  const sources: Record<string, string> = {};
  const pick = <F extends ChoosableCompanyField>(field: F): Company[F] => {
    const chosen = request.fieldChoices[field];
    const from = chosen ? everyone.find((record) => record.id === chosen)! : (everyone.find((record) => !blank(record[field])) ?? survivor);
    sources[COMPANY_PUBLIC_NAMES[field]] = from.id;
    return from[field];
  };

  const tags = [...new Set(everyone.flatMap((record) => record.tags))];
  if (tags.length > MAX_TAGS) {
    return err({
      code: 'MERGE.TOO_MANY_TAGS',
      message: `Together these companies have ${tags.length} distinct tags; a company holds at most ${MAX_TAGS}. Remove some tags first.`,
      details: { tags: tags.length, max: MAX_TAGS },
    });
  }
  const domainsTaken = [
    ...new Set(losers.flatMap((loser) => (loser.domain ? [loser.domain, ...loser.domainAliases] : loser.domainAliases))),
  ];
  const aliases = [...new Set([...survivor.domainAliases, ...domainsTaken])].filter((domain) => domain !== survivor.domain);
  if (aliases.length > MAX_DOMAIN_ALIASES) {
    return err({
      code: 'MERGE.TOO_MANY_DOMAINS',
      message: `Together these companies have ${aliases.length} domain aliases; a company holds at most ${MAX_DOMAIN_ALIASES}. Remove some aliases first.`,
      details: { domain_aliases: aliases.length, max: MAX_DOMAIN_ALIASES },
    });
  }

  const fields: MergedCompanyFields = {
    name: pick('name'),
    industry: pick('industry'),
    sizeBand: pick('sizeBand'),
    country: pick('country'),
    phone: pick('phone'),
    website: pick('website'),
    ownerId: pick('ownerId'),
    domainAliases: aliases,
    tags: tags as Tag[],
  };
  sources[COMPANY_PUBLIC_NAMES.tags] = survivor.id;

  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, value] of Object.entries(fields) as [keyof MergedCompanyFields, unknown][]) {
    const before = survivor[field];
    const same = Array.isArray(before) ? before.length === (value as unknown[]).length : before === value;
    if (!same) changes[COMPANY_PUBLIC_NAMES[field]] = { from: before, to: value };
  }
  return ok({ fields, changes, fieldSources: sources, domainsTaken });
}
