import { findCountryCallingCode, type CountryCallingCode, type NationalNumberRule } from './phone-country-codes.js';

export type Phone = string & { readonly __brand: 'Phone' };

export type PhoneError = { readonly reason: 'format' | 'country_code' | 'length'; readonly message: string };

/** Longest input accepted, counted before trimming and removing separators. */
const MAX_INPUT_LENGTH = 40;
/** E.164 allows at most 15 digits, country code included. */
const MAX_E164_DIGITS = 15;
const EXAMPLE = '+380123456789';

const CONTROL = /\p{Cc}/u;
const LETTER = /\p{L}/u;
const SPACE = /\p{Zs}/u;
const SURROUNDING_SPACES = /^\p{Zs}+|\p{Zs}+$/gu;
/** hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, minus sign, dot */
const PUNCTUATION_SEPARATORS = new Set(['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2212', '.']);
const ALLOWED = "digits, one leading +, spaces, '-', '.' and parentheses around digits";

type Parsed = { ok: true; value: Phone } | { ok: false; error: PhoneError };

const fail = (reason: PhoneError['reason'], message: string): Parsed => ({ ok: false, error: { reason, message } });

/** Parses a phone number given in international form and returns its E.164 form (e.g. +380123456789). */
export function parsePhone(input: string): { ok: true; value: Phone } | { ok: false; error: PhoneError } {
  if (typeof input !== 'string') {
    return fail('format', `phone must be a string in international format, e.g. ${EXAMPLE}`);
  }
  if (input.length > MAX_INPUT_LENGTH) {
    return fail('length', `phone must be at most ${MAX_INPUT_LENGTH} characters long, e.g. ${EXAMPLE}`);
  }
  if (CONTROL.test(input)) {
    return fail('format', 'phone must not contain control characters such as tabs or line breaks');
  }
  const text = input.replace(SURROUNDING_SPACES, '');
  if (text.length === 0) {
    return fail('format', `phone must not be blank; give it in international format starting with + and the country code, e.g. ${EXAMPLE}`);
  }

  const symbolError = findDisallowedCharacter(text);
  if (symbolError !== undefined) return symbolError;

  let rest: string;
  if (text.startsWith('+')) rest = text.slice(1);
  else if (text.startsWith('00')) rest = text.slice(2);
  else if (text.includes('+')) return misplacedPlus();
  else return fail('format', `phone must be in international format starting with + and the country code, e.g. ${EXAMPLE}`);
  if (rest.includes('+')) return misplacedPlus();

  const digits = collectDigits(rest);
  if (typeof digits !== 'string') return digits;
  if (digits.length === 0) {
    return fail('format', `phone must have digits after the +: the country code and the number, e.g. ${EXAMPLE}`);
  }

  if (digits.startsWith('0')) {
    return fail(
      'country_code',
      `phone country calling code cannot start with 0; after the + (or 00, not both) write the country code and the number, e.g. ${EXAMPLE}`,
    );
  }
  const country = findCountryCallingCode(digits);
  if (country === undefined) {
    return fail(
      'country_code',
      `phone does not start with an assigned country calling code (no code matches +${digits.slice(0, 3)}); check the digits right after the +, e.g. +380 for Ukraine or +44 for the UK`,
    );
  }

  const national = digits.slice(country.code.length);
  if (national.length < country.minLength || national.length > country.maxLength) {
    return fail(
      'length',
      `phone numbers for +${country.code} (${country.region}) must have ${lengthRange(country)} after the country code, but ${national.length} ${national.length === 1 ? 'was' : 'were'} given`,
    );
  }
  if (digits.length > MAX_E164_DIGITS) {
    return fail('length', `phone must have at most ${MAX_E164_DIGITS} digits including the country code`);
  }
  const ruleError = country.rule === undefined ? undefined : NATIONAL_NUMBER_RULES[country.rule](national, country);
  if (ruleError !== undefined) return fail('format', ruleError);

  return { ok: true, value: `+${digits}` as Phone };
}

/** Each rule returns an error message when the national number breaks it. */
const NATIONAL_NUMBER_RULES: Readonly<Record<NationalNumberRule, (national: string, country: CountryCallingCode) => string | undefined>> = {
  nanp: (national) => {
    if (!/^[2-9]/.test(national)) {
      return 'phone is not a valid North American (+1) number: the 3-digit area code after +1 cannot start with 0 or 1, e.g. +1 415 555 2671';
    }
    if (!/^\d{3}[2-9]/.test(national)) {
      return 'phone is not a valid North American (+1) number: the 3-digit exchange code after the area code cannot start with 0 or 1, e.g. +1 415 555 2671';
    }
    return undefined;
  },
  'no-trunk-zero': (national, country) =>
    national.startsWith('0')
      ? `phone must not keep the national trunk prefix 0 after the country code: write +${country.code} followed by the number without its leading 0`
      : undefined,
};

function lengthRange(country: CountryCallingCode): string {
  return country.minLength === country.maxLength
    ? `exactly ${country.minLength} digits`
    : `${country.minLength} to ${country.maxLength} digits`;
}

function misplacedPlus(): Parsed {
  return fail('format', `phone may contain + only once, at the very start before the country code, e.g. ${EXAMPLE}`);
}

function isSeparator(char: string): boolean {
  return SPACE.test(char) || PUNCTUATION_SEPARATORS.has(char);
}

/** The first character that can never appear in a phone number, reported as an error. */
function findDisallowedCharacter(text: string): Parsed | undefined {
  for (const char of text) {
    if ((char >= '0' && char <= '9') || char === '+' || char === '(' || char === ')' || isSeparator(char)) continue;
    if (LETTER.test(char)) {
      return fail(
        'format',
        `phone must not contain letters; use only ${ALLOWED} (extensions such as "ext. 12" are not supported), e.g. ${EXAMPLE}`,
      );
    }
    return fail('format', `phone must not contain the character ${describe(char)}; use only ${ALLOWED}, e.g. ${EXAMPLE}`);
  }
  return undefined;
}

function describe(char: string): string {
  const codePoint = char.codePointAt(0) ?? 0;
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return codePoint >= 0x21 && codePoint <= 0x7e ? `'${char}' (${hex})` : hex;
}

/**
 * The digits of what follows the international prefix, with separators removed; an error when
 * parentheses are unbalanced, nested, empty or enclose anything but digits. A parenthesised lone
 * 0 right after the country code, as in "+44 (0)20 7946 0958", is the national trunk prefix written
 * for domestic callers and is dropped, as international dialling requires; anywhere else it is
 * an ordinary digit.
 */
function collectDigits(rest: string): string | Parsed {
  let digits = '';
  let group: string | undefined;
  for (const char of rest) {
    if (char >= '0' && char <= '9') {
      if (group === undefined) digits += char;
      else group += char;
    } else if (char === '(') {
      if (group !== undefined) return badParentheses();
      group = '';
    } else if (char === ')') {
      if (group === undefined || group.length === 0) return badParentheses();
      if (!(group === '0' && findCountryCallingCode(digits)?.code === digits)) digits += group;
      group = undefined;
    } else if (group !== undefined) {
      return badParentheses();
    }
    // any other character here is a separator (checked earlier) and is skipped
  }
  return group === undefined ? digits : badParentheses();
}

function badParentheses(): Parsed {
  return fail(
    'format',
    'phone has unbalanced or misplaced parentheses; parentheses may only enclose digits and must come in pairs, e.g. +1 (415) 555-2671',
  );
}
