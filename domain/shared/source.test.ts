import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE, parseSource, type Source } from './source.js';

const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const MESSAGE = 'source must be a lowercase slug of 1-50 characters (letters, digits, "-" or "_"), e.g. "website" or "cold-call"';

function accepted(input: string): Source {
  const result = parseSource(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted, got ${result.error}`);
  return result.value;
}

function rejected(input: string): string {
  const result = parseSource(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected, got ${result.value}`);
  return result.error;
}

/** A valid slug of at most 50 characters. */
const slug = fc.stringMatching(SLUG).filter((value) => value.length <= 50);
/** A valid slug as a caller might write it: upper case and padded. */
const untidySlug = fc
  .tuple(slug, fc.boolean(), fc.constantFrom('', ' ', '\t'), fc.constantFrom('', ' ', '\n'))
  .map(([value, upper, before, after]) => ({ slug: value, input: `${before}${upper ? value.toUpperCase() : value}${after}` }));

describe('parseSource: examples', () => {
  it.each([
    ['website', 'website'],
    ['cold-call', 'cold-call'],
    ['partner_2024', 'partner_2024'],
    [' Cold-Call ', 'cold-call'],
    ['REFERRAL', 'referral'],
    ['x', 'x'],
  ])('given %j, when parsed, then it is accepted as %j', (input, expected) => {
    expect(accepted(input)).toBe(expected);
  });

  it('given a slug of 50 characters, when parsed, then it is accepted', () => {
    expect(accepted('s'.repeat(50))).toBe('s'.repeat(50));
  });

  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['s'.repeat(51), '51 characters'],
    ['cold call', 'a space inside'],
    ['cold--call', 'two separators in a row'],
    ['-website', 'a leading separator'],
    ['website_', 'a trailing separator'],
    ['web.site', 'a dot'],
    ['café', 'a non-ASCII letter'],
  ])('given %j (%s), when parsed, then it is rejected with the slug rule', (input) => {
    expect(rejected(input)).toBe(MESSAGE);
  });

  it('given the default source, then it is itself a valid source', () => {
    expect(DEFAULT_SOURCE).toBe('unknown');
    expect(accepted(DEFAULT_SOURCE)).toBe(DEFAULT_SOURCE);
  });
});

describe('parseSource: properties', () => {
  it('given any string, when parsed, then it never throws and returns a source or the slug rule', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        const result = parseSource(input);
        if (result.ok) expect(result.value).toMatch(SLUG);
        else expect(result.error).toBe(MESSAGE);
      }),
    );
  });

  it('given a valid slug written in upper case with padding, when parsed, then it is the lower-case slug', () => {
    fc.assert(
      fc.property(untidySlug, ({ slug: expected, input }) => {
        expect(accepted(input)).toBe(expected);
      }),
    );
  });

  it('given any accepted input, then the source is a slug of at most 50 characters and parsing it again gives it back', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          untidySlug.map(({ input }) => input),
        ),
        (input) => {
          const first = parseSource(input);
          if (!first.ok) return;
          expect(first.value).toMatch(SLUG);
          expect(first.value.length).toBeLessThanOrEqual(50);
          expect(parseSource(first.value)).toEqual(first);
        },
      ),
    );
  });
});
