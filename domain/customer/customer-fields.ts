import { validationFailed, type DomainError, type FieldIssue } from '../errors.js';
import { parseEmail, type Email } from '../shared/email.js';
import { parseExternalId } from '../shared/external-id.js';
import { parsePhone, type Phone } from '../shared/phone.js';
import { err, ok, type Result } from '../shared/result.js';
import { parseSource, type Source } from '../shared/source.js';
import { parseTags, type Tag } from '../shared/tags.js';
import { textProblem } from '../shared/text.js';

export const MAX_NAME_LENGTH = 200;

/**
 * Collects field problems so a caller hears about every bad field at once, not one per retry.
 */
export class FieldValidator {
  private readonly issues: FieldIssue[] = [];

  /** A name shows: trimmed, 1-200 characters, no control characters, not only invisible ones. */
  name(value: string): string {
    const name = value.trim();
    const problem = textProblem(name);
    if (name.length === 0) this.fail('name', 'name is required and cannot be blank');
    else if (problem) this.fail('name', `name ${problem}`);
    else if ([...name].length > MAX_NAME_LENGTH) this.fail('name', `name must be at most ${MAX_NAME_LENGTH} characters`);
    return name;
  }

  email(value: string): Email {
    return this.check('email', parseEmail(value), value as Email);
  }

  phone(value: string | null): Phone | null {
    if (value === null) return null;
    const parsed = parsePhone(value);
    return parsed.ok ? parsed.value : (this.fail('phone', parsed.error.message), null);
  }

  source(value: string): Source {
    return this.check('source', parseSource(value), value as Source);
  }

  /** Another system's id for the person: trimmed, 1-200 characters; null clears it. */
  externalId(value: string | null): string | null {
    if (value === null) return null;
    return this.check('external_id', parseExternalId(value), value);
  }

  tags(value: readonly string[]): readonly Tag[] {
    return this.check('tags', parseTags(value), []);
  }

  /** B2C (user_id) and B2B (company_id) cannot both be given. */
  accountType(userId: string | null | undefined, companyId: string | null | undefined): void {
    if (userId != null && companyId != null) {
      this.fail('company_id', 'a customer is either B2C (user_id) or B2B (company_id), not both; send only one of them');
    }
  }

  fail(field: string, message: string): void {
    this.issues.push({ field, message });
  }

  /** The validated value, or the collected problems. */
  result<T>(value: T): Result<T, DomainError> {
    return this.issues.length === 0 ? ok(value) : err(validationFailed(this.issues));
  }

  private check<T>(field: string, parsed: Result<T, string>, fallback: T): T {
    if (parsed.ok) return parsed.value;
    this.fail(field, parsed.error);
    return fallback;
  }
}
