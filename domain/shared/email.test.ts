import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseEmail, type Email } from './email.js';

const SHAPE = 'email must look like name@example.com';

function accepted(input: string): Email {
  const result = parseEmail(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted, got ${result.error}`);
  return result.value;
}

function rejected(input: string): string {
  const result = parseEmail(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected, got ${result.value}`);
  return result.error;
}

/** Spaces and line breaks that String.prototype.trim removes. */
const padding = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\ufeff'), maxLength: 4 });

/** Upper-cases a pseudo-random selection of characters. */
function mixCase(text: string, seed: number): string {
  return [...text].map((char, index) => ((seed >>> (index % 31)) & 1 ? char.toUpperCase() : char)).join('');
}

/** A valid address (as fast-check generates them, lower-case) written untidily: mixed case, padded. */
const untidyEmail = fc
  .tuple(
    fc.emailAddress().filter((email) => email.length <= 254),
    fc.integer(),
    padding,
    padding,
  )
  .map(([email, seed, before, after]) => ({ email: email.toLowerCase(), input: `${before}${mixCase(email, seed)}${after}` }));

describe('parseEmail: examples', () => {
  it.each([
    ['name@example.com', 'name@example.com'],
    ['  Ada.Lovelace@Example.COM ', 'ada.lovelace@example.com'],
    ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk'],
    ["o'brien_x-y@my-domain.io", "o'brien_x-y@my-domain.io"],
    ['a@b.xn--p1ai', 'a@b.xn--p1ai'],
    ['\tUSER@EXAMPLE.ORG\n', 'user@example.org'],
  ])('given %j, when parsed, then it is accepted as %j', (input, expected) => {
    expect(accepted(input)).toBe(expected);
  });

  it.each(['', '   ', '\n\t'])('given the blank input %j, when parsed, then it is required', (input) => {
    expect(rejected(input)).toBe('email is required');
  });

  it.each([
    'plainaddress',
    '@example.com',
    'name@',
    'name@localhost',
    'name@example.c',
    'name@example.123',
    'name@-example.com',
    'name@example-.com',
    'name@exa_mple.com',
    'name@example..com',
    '.name@example.com',
    'name.@example.com',
    'na..me@example.com',
    'na me@example.com',
    'name@exa mple.com',
    '"quoted"@example.com',
    'name@[192.168.0.1]',
    '名前@example.com',
    'name@exämple.com',
    'a@b@example.com',
  ])('given %j, when parsed, then it must look like name@example.com', (input) => {
    expect(rejected(input)).toBe(SHAPE);
  });

  it('given 254 characters with a 64-character local part, when parsed, then it is accepted', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email).toHaveLength(254);

    expect(accepted(email)).toBe(email);
  });

  it('given 255 characters, when parsed, then it is too long', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`;
    expect(email).toHaveLength(255);

    expect(rejected(email)).toBe('email must be at most 254 characters');
  });

  it('given 254 characters once trimmed, when parsed, then the padding does not count', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;

    expect(accepted(`   ${email}   `)).toBe(email);
  });

  it('given a 65-character local part, when parsed, then it is rejected', () => {
    expect(rejected(`${'a'.repeat(65)}@example.com`)).toBe(SHAPE);
  });

  it('given a 64-character domain label, when parsed, then it is rejected', () => {
    expect(rejected(`name@${'b'.repeat(64)}.com`)).toBe(SHAPE);
  });

  it('given an accepted email, then its type is the branded Email', () => {
    const result = parseEmail('a@example.com');
    if (result.ok) expectTypeOf(result.value).toEqualTypeOf<Email>();
    expectTypeOf<string>().not.toExtend<Email>();
    expect(result.ok).toBe(true);
  });
});

describe('parseEmail: properties', () => {
  it('given any string, when parsed, then it never throws and returns either an Email or a message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        const result = parseEmail(input);
        if (result.ok) expect(typeof result.value).toBe('string');
        else expect(result.error).toMatch(/^email /);
      }),
    );
  });

  it('given a valid address written in mixed case with padding, when parsed, then it is the trimmed lower-case address', () => {
    fc.assert(
      fc.property(untidyEmail, ({ email, input }) => {
        expect(accepted(input)).toBe(email);
      }),
    );
  });

  it('given any input that is accepted, then the output is trimmed, lower-case, at most 254 characters, and parsing it again gives it back', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          untidyEmail.map(({ input }) => input),
        ),
        (input) => {
          const first = parseEmail(input);
          if (!first.ok) return;
          expect(first.value).toBe(first.value.trim());
          expect(first.value).toBe(first.value.toLowerCase());
          expect(first.value.length).toBeLessThanOrEqual(254);
          expect(parseEmail(first.value)).toEqual(first);
        },
      ),
    );
  });
});
