import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, parseCountry } from './country.js';
import { parseDomainName } from './domain-name.js';

const parsed = (input: string) => {
  const result = parseDomainName(input);
  return result.ok ? result.value : `error: ${result.error}`;
};

describe('parseDomainName', () => {
  it.each([
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['https://www.example.com/about?x=1#top', 'example.com'],
    ['http://WWW.Example.com:8080', 'example.com'],
    ['www.example.co.uk.', 'example.co.uk'],
    ['  sub.example.org  ', 'sub.example.org'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['https://www.bücher.de/katalog', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['www2.example.com', 'example.com'],
    ['www.com', 'www.com'],
  ])('given %j, when parsed, then it is %j', (input, expected) => {
    expect(parsed(input)).toBe(expected);
  });

  it.each([
    '',
    'localhost',
    '192.168.1.1',
    'http://[::1]/',
    'ftp://example.com',
    'https://user:pw@example.com',
    'exa mple.com',
    '-bad.com',
    'a..b.com',
    'example.c0m',
    '\u0000.com',
  ])('given %j, when parsed, then it is refused with a message saying what to give', (input) => {
    expect(parsed(input)).toMatch(/^error: .*is not a domain: give a host such as example.com/);
  });

  it('given any string, when parsed, then it never throws and a result is already in normal form', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (input) => {
        const result = parseDomainName(input);
        if (result.ok) expect(parseDomainName(result.value)).toEqual(result);
      }),
    );
  });

  it('given a URL around any valid domain, when parsed, then the URL parts are dropped', () => {
    fc.assert(
      fc.property(fc.domain(), fc.webPath(), (domain, path) => {
        const plain = parseDomainName(domain);
        fc.pre(plain.ok);
        expect(parseDomainName(`https://${domain}${path}`)).toEqual(plain);
      }),
    );
  });
});

describe('parseCountry', () => {
  it('knows the 249 ISO 3166-1 alpha-2 codes', () => {
    expect(COUNTRY_CODES.size).toBe(249);
  });

  it.each([
    ['GB', 'GB'],
    ['de', 'DE'],
    [' us ', 'US'],
  ])('given %j, then %j', (input, expected) => {
    expect(parseCountry(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['UK', 'XX', 'GBR', '', 'G'])('given %j, then it is refused', (input) => {
    expect(parseCountry(input).ok).toBe(false);
  });
});
