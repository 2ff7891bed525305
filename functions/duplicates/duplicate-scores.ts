/**
 * The numbers of duplicate detection (docs/duplicates.md), in one place for the customer and the
 * company rules, the docs and the tests.
 */
export const DUPLICATE_SCORES = {
  /**
   * Lowest pg_trgm similarity at which two names count as alike. 0.5 keeps a dropped or swapped
   * letter ("Jon Smith" ~ "John Smith" 0.615, "Ada Lovelace" ~ "Ada Lovelance" 0.688) and refuses
   * names that only share a first name ("John Doe" ~ "John Smith" 0.333, pg_trgm's own default
   * threshold 0.3 would let it through).
   */
  nameThreshold: 0.5,
  /** The same email (or a merged alias of it): the same person, short of a shared mailbox. */
  email: 1,
  /** The same domain (primary, alias or a website's host): the same company. */
  domain: 1,
  /** The same E.164 number: very likely the same person (a shared office line is the exception). */
  phone: 0.6,
  /** A name match adds this times its similarity (0.25 to 0.5): a name alone is a weak signal. */
  nameWeight: 0.5,
  /** Raises a phone or name match of two records that also agree on company (customers) or country (companies). */
  agreement: 0.2,
  /** Candidates a create's warning names at most. */
  warningCandidates: 5,
} as const;

/** The rule names a candidate lists, in this order. */
export const CUSTOMER_DUPLICATE_RULES = ['email', 'phone', 'name', 'company'] as const;
export type CustomerDuplicateRule = (typeof CUSTOMER_DUPLICATE_RULES)[number];
export const COMPANY_DUPLICATE_RULES = ['domain', 'name', 'country'] as const;
export type CompanyDuplicateRule = (typeof COMPANY_DUPLICATE_RULES)[number];
