import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TAGS, parseTags, sameTagSet, type Tag } from './tags.js';

const TAG = /^[a-z0-9:_-]{1,50}$/;

function accepted(input: readonly string[]): readonly Tag[] {
  const result = parseTags(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted, got ${result.error}`);
  return result.value;
}

function rejected(input: readonly string[]): string {
  const result = parseTags(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const badTag = (position: number, raw: string) => `tag #${position} ("${raw}") must be 1-50 characters of a-z, 0-9, ':', '_' or '-'`;

/** `count` distinct valid tags: t1, t2, … */
const distinctTags = (count: number) => Array.from({ length: count }, (_, index) => `t${index + 1}`);

/** A valid tag as stored. */
const tag = fc.stringMatching(TAG);
/** A valid tag as a caller might write it: mixed case and surrounding spaces. */
const untidyTag = fc
  .tuple(tag, fc.boolean(), fc.constantFrom('', ' ', '  ', '\t'), fc.constantFrom('', ' ', '\n'))
  .map(([value, upper, before, after]) => `${before}${upper ? value.toUpperCase() : value}${after}`);
/** Lists drawn from a small pool, so duplicates (after normalisation) are common. */
const untidyTagList = fc.uniqueArray(tag, { minLength: 1, maxLength: 70 }).chain((pool) =>
  fc.array(
    fc
      .tuple(fc.constantFrom(...pool), fc.boolean(), fc.constantFrom('', ' '))
      .map(([value, upper, pad]) => `${pad}${upper ? value.toUpperCase() : value}${pad}`),
    { maxLength: 80 },
  ),
);
/** A tag set as the aggregate holds it. */
const tagSet = fc.uniqueArray(tag, { maxLength: 10 }).map((values) => values as Tag[]);

function normalise(raw: string): string {
  return raw.trim().toLowerCase();
}

describe('parseTags: examples', () => {
  it('given an empty list, when parsed, then there are no tags', () => {
    expect(accepted([])).toEqual([]);
  });

  it('given untidy labels with duplicates, when parsed, then they are trimmed, lower-cased and deduplicated in first-seen order', () => {
    expect(accepted([' VIP ', 'newsletter', 'vip', 'Region:EU', 'NEWSLETTER', 'a_b-c'])).toEqual([
      'vip',
      'newsletter',
      'region:eu',
      'a_b-c',
    ]);
  });

  it('given a 50-character tag, when parsed, then it is accepted', () => {
    expect(accepted(['x'.repeat(50)])).toEqual(['x'.repeat(50)]);
  });

  it('given a 51-character tag, when parsed, then the error names it by position', () => {
    const long = 'x'.repeat(51);

    expect(rejected(['ok', long])).toBe(badTag(2, long));
  });

  it.each([
    ['', ''],
    ['   ', '   '],
    ['two words', 'two words'],
    ['dot.ted', 'dot.ted'],
    ['émoji', 'émoji'],
    ['tag/slash', 'tag/slash'],
  ])('given the bad tag %j first, when parsed, then the error names tag #1', (raw, shown) => {
    expect(rejected([raw, 'ok'])).toBe(badTag(1, shown));
  });

  it('given several bad tags, when parsed, then the first one is named', () => {
    expect(rejected(['ok', 'bad one', 'worse one'])).toBe(badTag(2, 'bad one'));
  });

  it('given a very long bad label, when parsed, then the error quotes only its first 60 characters', () => {
    const raw = 'y '.repeat(100);

    expect(rejected([raw])).toBe(badTag(1, raw.slice(0, 60)));
  });

  it(`given exactly ${MAX_TAGS} distinct tags, when parsed, then all are kept`, () => {
    expect(accepted(distinctTags(50))).toEqual(distinctTags(50));
  });

  it('given 51 distinct tags, when parsed, then they are rejected with the count', () => {
    expect(rejected(distinctTags(51))).toBe('at most 50 distinct tags are allowed, got 51');
  });

  it('given 50 distinct tags plus duplicates (60 labels), when parsed, then only the distinct count matters', () => {
    const labels = [...distinctTags(50), ...distinctTags(10).map((value) => value.toUpperCase())];

    expect(accepted(labels)).toEqual(distinctTags(50));
  });
});

describe('parseTags: properties', () => {
  it('given any list of any strings, when parsed, then it never throws and returns tags or a message', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 60 }), (input) => {
        const result = parseTags(input);
        if (result.ok) expect(Array.isArray(result.value)).toBe(true);
        else expect(result.error).toMatch(/^(tag #\d+ |at most 50 distinct tags)/);
      }),
    );
  });

  it('given valid labels written untidily, when parsed, then the result is the normalised labels without duplicates in first-seen order', () => {
    fc.assert(
      fc.property(untidyTagList, (input) => {
        const expected = [...new Set(input.map(normalise))];
        const result = parseTags(input);
        if (expected.length > MAX_TAGS)
          expect(result).toEqual({ ok: false, error: `at most 50 distinct tags are allowed, got ${expected.length}` });
        else expect(result).toEqual({ ok: true, value: expected });
      }),
    );
  });

  it('given any accepted input, then the tags are distinct, match the tag pattern, number at most 50, and parsing them again gives them back', () => {
    const input = fc.oneof(
      fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }),
      fc.array(untidyTag, { maxLength: 60 }),
      untidyTagList,
    );
    fc.assert(
      fc.property(input, (labels) => {
        const first = parseTags(labels);
        if (!first.ok) return;
        expect(new Set(first.value).size).toBe(first.value.length);
        expect(first.value.length).toBeLessThanOrEqual(MAX_TAGS);
        for (const value of first.value) expect(value).toMatch(TAG);
        expect(parseTags(first.value)).toEqual(first);
      }),
    );
  });
});

describe('sameTagSet', () => {
  it('given the same tags in another order, then they are the same set', () => {
    expect(sameTagSet(['a', 'b', 'c'] as Tag[], ['c', 'a', 'b'] as Tag[])).toBe(true);
  });

  it('given sets of different size or content, then they differ', () => {
    expect(sameTagSet(['a', 'b'] as Tag[], ['a'] as Tag[])).toBe(false);
    expect(sameTagSet(['a', 'b'] as Tag[], ['a', 'c'] as Tag[])).toBe(false);
    expect(sameTagSet([], [])).toBe(true);
  });

  it('given a tag set and any permutation of it, then they are the same set (order-insensitive)', () => {
    const setAndPermutation = tagSet.chain((set) => fc.tuple(fc.constant(set), fc.shuffledSubarray(set, { minLength: set.length })));
    fc.assert(
      fc.property(setAndPermutation, ([set, permutation]) => {
        expect(sameTagSet(set, permutation)).toBe(true);
        expect(sameTagSet(permutation, set)).toBe(true);
      }),
    );
  });

  it('given any two tag sets, then the answer is symmetric and agrees with set equality', () => {
    // Draw from a small alphabet so that equal and overlapping sets come up often.
    const smallTagSet = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }).map((values) => values as Tag[]);
    fc.assert(
      fc.property(fc.oneof(tagSet, smallTagSet), fc.oneof(tagSet, smallTagSet), (a, b) => {
        const equalAsSets = a.length === b.length && new Set([...a, ...b]).size === a.length;
        expect(sameTagSet(a, b)).toBe(equalAsSets);
        expect(sameTagSet(b, a)).toBe(sameTagSet(a, b));
      }),
    );
  });
});
