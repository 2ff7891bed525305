import { validationFailed, type DomainError, type FieldIssue } from '../errors.js';
import { parseSource, type Source } from '../shared/source.js';
import { parseTags, type Tag } from '../shared/tags.js';
import { err, ok, type Result } from '../shared/result.js';
import { textProblem } from '../shared/text.js';
import { FORECAST_CATEGORIES, type ForecastCategory } from '../pipeline/pipeline.js';
import { CONTACT_ROLES, type ContactRole, type DealContact } from './deal.js';

export const MAX_DEAL_CONTACTS = 50;
const MAX_NAME_LENGTH = 200;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Collects every problem of a deal's input at once, each at its field's path. */
export class DealFieldValidator {
  private readonly issues: FieldIssue[] = [];

  name(value: string): string {
    const name = value.trim();
    const problem = textProblem(name);
    if (name.length === 0) this.fail('name', 'name is required and cannot be blank');
    else if (problem) this.fail('name', `name ${problem}`);
    else if ([...name].length > MAX_NAME_LENGTH) this.fail('name', `name must be at most ${MAX_NAME_LENGTH} characters`);
    return name;
  }

  /** Minor units: a whole number from 0 up to 2^53 - 1, so sums stay exact. */
  amount(value: number | null): number | null {
    if (value !== null && (!Number.isSafeInteger(value) || value < 0)) {
      this.fail('amount.amount_minor', 'amount_minor is a whole number of minor units (cents) from 0 to 9007199254740991');
    }
    return value;
  }

  /** A calendar date that exists (YYYY-MM-DD). */
  date(field: string, value: string | null): string | null {
    if (value === null) return null;
    const parsed = DATE.test(value) ? new Date(`${value}T00:00:00Z`) : null;
    // Year 0000 parses in JavaScript (1 BC) but is no date in PostgreSQL.
    if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value || value.startsWith('0000')) {
      this.fail(field, `${field} must be a date that exists, as YYYY-MM-DD`);
    }
    return value;
  }

  forecastCategory(value: string | null): ForecastCategory | null {
    if (value !== null && !(FORECAST_CATEGORIES as readonly string[]).includes(value)) {
      this.fail('forecast_category_override', `forecast_category_override must be one of ${FORECAST_CATEGORIES.join(', ')} (or null)`);
    }
    return value as ForecastCategory | null;
  }

  source(value: string): Source {
    const parsed = parseSource(value);
    if (!parsed.ok) this.fail('source', parsed.error);
    return (parsed.ok ? parsed.value : value) as Source;
  }

  tags(value: readonly string[]): readonly Tag[] {
    const parsed = parseTags(value);
    if (!parsed.ok) this.fail('tags', parsed.error);
    return parsed.ok ? parsed.value : [];
  }

  externalId(value: string | null): string | null {
    if (value === null) return null;
    const trimmed = value.trim();
    if (trimmed.length === 0 || trimmed.length > 200 || textProblem(trimmed)) {
      this.fail('external_id', 'external_id is 1-200 visible characters (or null)');
    }
    return trimmed;
  }

  /** Contacts are customers with a role, each customer once. */
  contacts(value: readonly { readonly customer_id: string; readonly role: string }[]): readonly DealContact[] {
    if (value.length > MAX_DEAL_CONTACTS) this.fail('contacts', `a deal has at most ${MAX_DEAL_CONTACTS} contacts`);
    const seen = new Set<string>();
    value.forEach((contact, index) => {
      if (!(CONTACT_ROLES as readonly string[]).includes(contact.role)) {
        this.fail(`contacts[${index}].role`, `role must be one of ${CONTACT_ROLES.join(', ')}`);
      }
      if (seen.has(contact.customer_id)) this.fail(`contacts[${index}].customer_id`, 'each customer is a contact of the deal once');
      seen.add(contact.customer_id);
    });
    return value.map((contact) => ({ customerId: contact.customer_id, role: contact.role as ContactRole }));
  }

  /** A deal belongs to a company, a customer, or both. */
  linked(companyId: string | null, primaryCustomerId: string | null): void {
    if (companyId === null && primaryCustomerId === null) {
      this.fail('primary_customer_id', 'a deal needs a company_id, a primary_customer_id, or both');
    }
  }

  fail(field: string, message: string): void {
    this.issues.push({ field, message });
  }

  result<T>(value: T): Result<T, DomainError> {
    return this.issues.length === 0 ? ok(value) : err(validationFailed(this.issues));
  }
}
