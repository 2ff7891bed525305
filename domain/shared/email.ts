import { err, ok, type Result } from './result.js';

export type Email = string & { readonly __brand: 'Email' };

const MAX_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
// Deliberately simple: printable ASCII local part, dotted domain with a letter TLD. Anything
// cleverer (quoted local parts, IP literals) is legal in RFC 5321 but never seen in a CRM.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** Parses an email address; the result is trimmed and lower-cased, the form in which uniqueness is checked. */
export function parseEmail(input: string): Result<Email, string> {
  const email = input.trim().toLowerCase();
  if (email.length === 0) return err('email is required');
  if (email.length > MAX_LENGTH) return err(`email must be at most ${MAX_LENGTH} characters`);
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return err('email must look like name@example.com');
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  const topLevel = labels[labels.length - 1] ?? '';
  const valid =
    local.length <= MAX_LOCAL_LENGTH &&
    LOCAL_PART.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => DOMAIN_LABEL.test(label)) &&
    TOP_LEVEL.test(topLevel);
  return valid ? ok(email as Email) : err('email must look like name@example.com');
}
