import { err, ok, type Result } from './result.js';

/** A company's internet domain in the one form uniqueness is checked in: `example.com`, IDNs as punycode. */
export type DomainName = string & { readonly __brand: 'DomainName' };

const MAX_INPUT = 2048;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const WWW = /^www\d*\./;

const invalid = (input: string) =>
  err(`"${input.slice(0, 80)}" is not a domain: give a host such as example.com or a URL such as https://www.example.com/about`);

/**
 * Normalises a URL or a bare host to its domain: lower-case, without scheme, credentials, port,
 * path, query, fragment, a leading `www.` or a trailing dot; internationalised names become
 * punycode (`bücher.de` → `xn--bcher-kva.de`). IP addresses and single labels are refused.
 */
export function parseDomainName(input: string): Result<DomainName, string> {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_INPUT) return invalid(trimmed);
  let url: URL;
  try {
    // The WHATWG URL parser does the IDNA mapping (punycode), lower-casing and port/path splitting.
    url = new URL(SCHEME.test(trimmed) ? trimmed : `http://${trimmed}`);
  } catch {
    return invalid(trimmed);
  }
  if (url.username || url.password || !['http:', 'https:'].includes(url.protocol)) return invalid(trimmed);
  const bare = url.hostname.replace(/\.$/, '');
  // `www.com` is a domain of its own: the prefix goes only when a registrable name remains.
  const host = WWW.test(bare) && bare.replace(WWW, '').includes('.') ? bare.replace(WWW, '') : bare;
  if (host.length === 0 || host.length > 253 || host.startsWith('[')) return invalid(trimmed);
  const labels = host.split('.');
  const topLevel = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || !TOP_LEVEL.test(topLevel)) return invalid(trimmed);
  return ok(host as DomainName);
}
