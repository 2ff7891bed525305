import { validationFailed, type DomainError, type FieldIssue } from '../errors.js';
import { parseCountry, type CountryCode } from '../shared/country.js';
import { parseDomainName, type DomainName } from '../shared/domain-name.js';
import { parsePhone, type Phone } from '../shared/phone.js';
import { err, ok, type Result } from '../shared/result.js';
import { parseTags, type Tag } from '../shared/tags.js';
import { textProblem } from '../shared/text.js';
import type { Industry } from './company.js';

export const MAX_COMPANY_NAME_LENGTH = 200;
export const MAX_DOMAIN_ALIASES = 20;
export const MAX_EXTERNAL_ID_LENGTH = 200;
export const MAX_WEBSITE_LENGTH = 2048;
const INDUSTRY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_INDUSTRY_LENGTH = 60;

/** Collects the problems of every company field at once, so a caller fixes them in one retry. */
export class CompanyFieldValidator {
  private readonly issues: FieldIssue[] = [];

  /** Trimmed, 1-200 characters that show, no control characters. */
  name(value: string): string {
    const name = value.trim();
    const problem = textProblem(name);
    if (name.length === 0) this.fail('name', 'name is required and cannot be blank');
    else if (problem) this.fail('name', `name ${problem}`);
    else if ([...name].length > MAX_COMPANY_NAME_LENGTH) this.fail('name', `name must be at most ${MAX_COMPANY_NAME_LENGTH} characters`);
    return name;
  }

  domain(value: string | null): DomainName | null {
    if (value === null) return null;
    const parsed = parseDomainName(value);
    return parsed.ok ? parsed.value : (this.fail('domain', parsed.error), null);
  }

  /** Normalised like the domain, duplicates dropped; none may repeat the primary domain. */
  domainAliases(values: readonly string[], primary: DomainName | null): DomainName[] {
    const aliases: DomainName[] = [];
    for (const [index, value] of values.entries()) {
      const parsed = parseDomainName(value);
      if (!parsed.ok) this.fail('domain_aliases', `alias #${index + 1}: ${parsed.error}`);
      else if (parsed.value === primary) this.fail('domain_aliases', `alias #${index + 1} (${parsed.value}) repeats the primary domain`);
      else if (!aliases.includes(parsed.value)) aliases.push(parsed.value);
    }
    if (aliases.length > MAX_DOMAIN_ALIASES) this.fail('domain_aliases', `at most ${MAX_DOMAIN_ALIASES} aliases, got ${aliases.length}`);
    return aliases;
  }

  /** A slug such as `software` or `financial-services`; input is trimmed and lower-cased. */
  industry(value: string | null): Industry | null {
    if (value === null) return null;
    const slug = value.trim().toLowerCase();
    if (slug.length > MAX_INDUSTRY_LENGTH || !INDUSTRY.test(slug)) {
      this.fail(
        'industry',
        `industry must be a slug of a-z, 0-9 and single hyphens (at most ${MAX_INDUSTRY_LENGTH}), e.g. financial-services`,
      );
    }
    return slug as Industry;
  }

  country(value: string | null): CountryCode | null {
    if (value === null) return null;
    const parsed = parseCountry(value);
    return parsed.ok ? parsed.value : (this.fail('country', parsed.error), null);
  }

  phone(value: string | null): Phone | null {
    if (value === null) return null;
    const parsed = parsePhone(value);
    return parsed.ok ? parsed.value : (this.fail('phone', parsed.error.message), null);
  }

  /** An http(s) URL; a bare host gets `https://`. Kept as the URL parser writes it. */
  website(value: string | null): string | null {
    if (value === null) return null;
    const trimmed = value.trim();
    let url: URL | null = null;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`);
    } catch {
      url = null;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password || !url.hostname.includes('.')) {
      this.fail('website', 'website must be an http(s) URL such as https://www.example.com');
      return null;
    }
    if (url.href.length > MAX_WEBSITE_LENGTH) this.fail('website', `website must be at most ${MAX_WEBSITE_LENGTH} characters`);
    return url.href;
  }

  tags(value: readonly string[]): readonly Tag[] {
    const parsed = parseTags(value);
    return parsed.ok ? parsed.value : (this.fail('tags', parsed.error), []);
  }

  /** Another system's id: trimmed, 1-200 visible characters. */
  externalId(value: string | null): string | null {
    if (value === null) return null;
    const id = value.trim();
    const problem = textProblem(id);
    if (id.length === 0) this.fail('external_id', 'external_id cannot be blank; send null to clear it');
    else if (problem) this.fail('external_id', `external_id ${problem}`);
    else if ([...id].length > MAX_EXTERNAL_ID_LENGTH)
      this.fail('external_id', `external_id must be at most ${MAX_EXTERNAL_ID_LENGTH} characters`);
    return id;
  }

  fail(field: string, message: string): void {
    this.issues.push({ field, message });
  }

  result<T>(value: T): Result<T, DomainError> {
    return this.issues.length === 0 ? ok(value) : err(validationFailed(this.issues));
  }
}
