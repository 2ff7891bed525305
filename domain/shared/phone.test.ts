import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { COUNTRY_CALLING_CODES, findCountryCallingCode, type CountryCallingCode } from './phone-country-codes.js';
import { parsePhone, type Phone, type PhoneError } from './phone.js';

const E164 = /^\+[1-9]\d{6,14}$/;

function accepted(input: string): string {
  const result = parsePhone(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function rejected(input: string): PhoneError {
  const result = parsePhone(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected, got ${result.value}`);
  return result.error;
}

describe('parsePhone: examples from the specification', () => {
  it.each([
    ['+380123456789', '+380123456789'],
    ['+380 12 345 6789', '+380123456789'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['0044 20 7946 0958', '+442079460958'],
  ])('accepts %j as %s', (input, expected) => {
    expect(accepted(input)).toBe(expected);
  });

  it.each([
    ['380123456789', 'format'],
    ['+999 123456', 'country_code'],
    ['+3801234', 'length'],
  ] as const)('rejects %j with reason %s', (input, reason) => {
    expect(rejected(input).reason).toBe(reason);
  });

  it('rejects a North American area code starting with 0', () => {
    expect(['format', 'length']).toContain(rejected('+1 055 555 2671').reason);
  });

  it('uses the example message for a number without the international prefix', () => {
    expect(rejected('380123456789').message).toBe(
      'phone must be in international format starting with + and the country code, e.g. +380123456789',
    );
  });
});

describe('parsePhone: the result type', () => {
  it('is a branded Phone string', () => {
    const result = parsePhone('+380123456789');
    if (result.ok) expectTypeOf(result.value).toEqualTypeOf<Phone>();
    expectTypeOf<Phone>().toExtend<string>();
    expectTypeOf<string>().not.toExtend<Phone>();
  });
});

describe('parsePhone: international prefix', () => {
  it('accepts + directly before the country code', () => {
    expect(accepted('+442079460958')).toBe('+442079460958');
  });

  it.each(['0044 20 7946 0958', '00442079460958', '00-44-20-7946-0958', '00 380 12 345 6789'])(
    'converts the 00 prefix in %j to +',
    (input) => {
      expect(accepted(input)).toMatch(/^\+(44|380)/);
    },
  );

  it.each(['380123456789', '0 0380123456789', '0380123456789', '(380) 123456789', '-380123456789'])(
    'rejects %j, which has no international prefix, as format',
    (input) => {
      expect(rejected(input).reason).toBe('format');
    },
  );

  it('rejects + combined with 00 as an invalid country code', () => {
    const error = rejected('+00380123456789');
    expect(error.reason).toBe('country_code');
    expect(error.message).toContain('not both');
  });

  it.each(['++380123456789', '+380+123456789', '380123456789+', '00+380123456789', '+380 12 345 6789 +'])(
    'rejects %j, which has a misplaced or repeated +',
    (input) => {
      const error = rejected(input);
      expect(error.reason).toBe('format');
      expect(error.message).toContain('+ only once');
    },
  );

  it.each(['+', '00', '+ - . ', '+()'])('rejects %j, which has no digits', (input) => {
    expect(rejected(input).reason).toBe('format');
  });
});

describe('parsePhone: separators and whitespace', () => {
  it.each([
    ['+380-12-345-67-89'],
    ['+380.12.345.67.89'],
    ['+380 12 345 67 89'],
    ['+380\u00a012\u00a0345\u00a06789'], // non-breaking space
    ['+380\u202f12\u202f345\u202f6789'], // narrow non-breaking space
    ['+380\u200912\u2009345\u20096789'], // thin space
    ['+380\u201312\u2013345\u20136789'], // en dash
    ['+380\u201112\u2011345\u20116789'], // non-breaking hyphen
    ['+380\u221212\u2212345\u22126789'], // minus sign
    ['+380 (12) 345-67.89'],
    ['+ 380 12 345 6789'],
    ['+380  12 -- 345 . 6789'],
    ['  +380123456789  '],
    ['\u00a0+380123456789\u00a0'],
    ['\u3000+380123456789\u3000'],
  ])('strips separators in %j', (input) => {
    expect(accepted(input)).toBe('+380123456789');
  });

  it.each(['+1 (415) 555-2671', '+1 (415) 5552671', '+1(415)555.2671', '+(1) 415 555 2671', '+1 415 (555) 2671'])(
    'accepts parentheses around digits in %j',
    (input) => {
      expect(accepted(input)).toBe('+14155552671');
    },
  );

  it.each(['+44 (0)20 7946 0958', '+44(0)2079460958', '0044 (0) 20 7946 0958'])('drops the "(0)" trunk-prefix notation in %j', (input) => {
    expect(accepted(input)).toBe('+442079460958');
  });

  it('keeps a parenthesised 0 that does not follow the country code', () => {
    expect(accepted('+39 (0)6 1234 5678')).toBe('+39612345678');
    expect(accepted('+39 06 (0)234 5678')).toBe('+390602345678');
    expect(accepted('+3(0) 691 234 5678')).toBe('+306912345678');
  });

  it.each([
    '+1 (415 555-2671',
    '+1 415) 555-2671',
    '+1 )415( 555-2671',
    '+1 ((415)) 555-2671',
    '+1 () 415 555 2671',
    '+1 (4-15) 555-2671',
    '+1 (415 ) 555-2671',
    '(+1) 415 555 2671',
  ])('rejects misplaced parentheses in %j', (input) => {
    expect(rejected(input).reason).toBe('format');
  });

  it('rejects blank input with an actionable message', () => {
    for (const input of ['', '   ', '\u00a0']) {
      const error = rejected(input);
      expect(error.reason).toBe('format');
      expect(error.message).toContain('international format');
    }
  });
});

describe('parsePhone: forbidden characters', () => {
  it.each([
    '+380 12 345 67 8a',
    '+380123456789 ext. 12',
    'tel:+380123456789',
    '+38O123456789',
    '+380 12 345 6789 x12',
    'phone',
    '+380 12 345 6789 Ж',
  ])('rejects letters in %j', (input) => {
    const error = rejected(input);
    expect(error.reason).toBe('format');
    expect(error.message).toContain('letters');
  });

  it.each([
    '+380/12/345/6789',
    '+380_123456789',
    '+380,123456789',
    '+380*123456789',
    '+380#123456789',
    '+380 123 456 789;',
    '+380\u200b123456789',
    '+380\ufeff123456789',
    '\ufeff+380123456789',
    '+380 12 345 6789 ☎',
    '+380 12 345 6789 😀',
    '+380123456789\u2028',
    '+３８０１２３４５６７８９',
    '+380١٢٣٤٥٦٧٨٩',
    '+380\u2014123456789',
  ])('rejects other symbols in %j', (input) => {
    const error = rejected(input);
    expect(error.reason).toBe('format');
    expect(error.message).toMatch(/must not contain the character (U\+[0-9A-F]{4,6}|'.' \(U\+[0-9A-F]{4}\))/);
  });

  it('names a printable ASCII symbol in the message', () => {
    expect(rejected('+380/123456789').message).toContain("'/' (U+002F)");
  });

  it.each([
    '+380123456789\n',
    '\t+380123456789',
    '+380\r123456789',
    '+380\u0000123456789',
    '+380\u007f123456789',
    '+380\u0085123456789',
    '+380\u001b[0m123456789',
  ])('rejects control characters in %j, even at the edges', (input) => {
    const error = rejected(input);
    expect(error.reason).toBe('format');
    expect(error.message).toContain('control characters');
  });
});

describe('parsePhone: input length', () => {
  it('accepts 40 characters', () => {
    const input = '+380 12 345 6789'.padEnd(40, ' ');
    expect(input).toHaveLength(40);
    expect(accepted(input)).toBe('+380123456789');
  });

  it('rejects 41 characters even if they would normalise to a valid number', () => {
    const input = '+380 12 345 6789'.padEnd(41, ' ');
    const error = rejected(input);
    expect(error.reason).toBe('length');
    expect(error.message).toContain('at most 40 characters');
  });

  it('rejects long garbage without looking at it further', () => {
    expect(rejected('x'.repeat(10_000)).reason).toBe('length');
  });
});

describe('parsePhone: country calling codes', () => {
  it.each([
    ['+14155552671', '1'],
    ['+79161234567', '7'],
    ['+201001234567', '20'],
    ['+27821234567', '27'],
    ['+306912345678', '30'],
    ['+33612345678', '33'],
    ['+34612345678', '34'],
    ['+36201234567', '36'],
    ['+393123456789', '39'],
    ['+40721234567', '40'],
    ['+41791234567', '41'],
    ['+436641234567', '43'],
    ['+447911123456', '44'],
    ['+4915123456789', '49'],
    ['+5511912345678', '55'],
    ['+61412345678', '61'],
    ['+8613812345678', '86'],
    ['+819012345678', '81'],
    ['+821012345678', '82'],
    ['+905321234567', '90'],
    ['+919812345678', '91'],
    ['+211912345678', '211'],
    ['+2348031234567', '234'],
    ['+35799123456', '357'],
    ['+380501234567', '380'],
    ['+420601123456', '420'],
    ['+421912123456', '421'],
    ['+4237811234', '423'],
    ['+50012345', '500'],
    ['+59312345678', '593'],
    ['+6701234567', '670'],
    ['+6921234567', '692'],
    ['+80012345678', '800'],
    ['+80812345678', '808'],
    ['+85291234567', '852'],
    ['+870123456789', '870'],
    ['+8816123456789', '881'],
    ['+886912345678', '886'],
    ['+9607123456', '960'],
    ['+971501234567', '971'],
    ['+97912345678', '979'],
    ['+998901234567', '998'],
  ])('accepts %s under country code +%s', (input, code) => {
    expect(accepted(input)).toBe(input);
    expect(findCountryCallingCode(input.slice(1))?.code).toBe(code);
  });

  it.each([
    '+0123456789', // 0 is never a country code
    '+281234567', // zone 28 is unassigned
    '+2591234567', // 259 is unassigned
    '+2141234567',
    '+2921234567',
    '+3841234567',
    '+3881234567',
    '+3791234567', // reserved for the Vatican, not in use
    '+4221234567', // +42 alone is not a code
    '+4291234567',
    '+6711234567', // Guam moved to +1
    '+6841234567', // American Samoa moved to +1
    '+6931234567',
    '+8011234567',
    '+8071234567',
    '+8511234567',
    '+8711234567',
    '+8891234567',
    '+8912345678',
    '+9691234567',
    '+9781234567',
    '+9901234567',
    '+9971234567',
    '+999123456',
  ])('rejects %s as an unassigned country code', (input) => {
    const error = rejected(input);
    expect(error.reason).toBe('country_code');
    expect(error.message).toContain('country calling code');
  });

  it('matches the longest code: +380 is Ukraine, not +38 or +3', () => {
    expect(findCountryCallingCode('380123456789')?.code).toBe('380');
    expect(findCountryCallingCode('3')).toBeUndefined();
    expect(findCountryCallingCode('38')).toBeUndefined();
    expect(findCountryCallingCode('')).toBeUndefined();
  });

  describe('the table', () => {
    const codes = COUNTRY_CALLING_CODES.map((entry) => entry.code);

    it('has unique codes of 1–3 digits that do not start with 0', () => {
      expect(new Set(codes).size).toBe(codes.length);
      for (const code of codes) expect(code).toMatch(/^[1-9]\d{0,2}$/);
    });

    it('is prefix-free, so the match is unambiguous', () => {
      for (const a of codes) {
        for (const b of codes) if (a !== b) expect(b.startsWith(a), `${a} is a prefix of ${b}`).toBe(false);
      }
    });

    it('keeps every number between 7 and 15 digits in total (E.164)', () => {
      for (const { code, minLength, maxLength } of COUNTRY_CALLING_CODES) {
        expect(minLength, code).toBeLessThanOrEqual(maxLength);
        expect(code.length + minLength, code).toBeGreaterThanOrEqual(7);
        expect(code.length + maxLength, code).toBeLessThanOrEqual(15);
      }
    });

    it('contains the codes named in the specification', () => {
      const expected = [
        '1',
        '7',
        '20',
        '27',
        '30',
        '31',
        '32',
        '33',
        '34',
        '36',
        '39',
        '40',
        '41',
        '43',
        '44',
        '45',
        '46',
        '47',
        '48',
        '49',
        '51',
        '52',
        '53',
        '54',
        '55',
        '56',
        '57',
        '58',
        '60',
        '61',
        '62',
        '63',
        '64',
        '65',
        '66',
        '81',
        '82',
        '84',
        '86',
        '90',
        '91',
        '92',
        '93',
        '94',
        '95',
        '98',
        '211',
        '212',
        '213',
        '216',
        '218',
        '290',
        '291',
        '297',
        '298',
        '299',
        '420',
        '421',
        '423',
        '800',
        '808',
        '850',
        '852',
        '853',
        '855',
        '856',
        '870',
        '878',
        '880',
        '881',
        '882',
        '883',
        '886',
        '888',
        '992',
        '993',
        '994',
        '995',
        '996',
        '998',
      ];
      for (let code = 220; code <= 258; code++) expected.push(String(code));
      for (let code = 260; code <= 269; code++) expected.push(String(code));
      for (let code = 350; code <= 359; code++) expected.push(String(code));
      for (let code = 500; code <= 509; code++) expected.push(String(code));
      for (let code = 590; code <= 599; code++) expected.push(String(code));
      for (const code of expected) expect(codes, code).toContain(code);
    });
  });
});

describe('parsePhone: national number length', () => {
  it.each([
    ['+1415555267', 'exactly 10 digits'],
    ['+141555526712', 'exactly 10 digits'],
    ['+3801234567890', 'exactly 9 digits'],
    ['+38012345678', 'exactly 9 digits'],
    ['+3801234', 'exactly 9 digits'],
    ['+791612345', 'exactly 10 digits'],
    ['+7916123456789', 'exactly 10 digits'],
    ['+3361234567', 'exactly 9 digits'],
    ['+336123456789', 'exactly 9 digits'],
    ['+44123456', '7 to 10 digits'],
    ['+4420794609581', '7 to 10 digits'],
    ['+4912345', '6 to 13 digits'],
    ['+4912345678901234', '6 to 13 digits'],
    ['+86138123456789', '7 to 11 digits'],
    ['+6141234567', 'exactly 9 digits'],
    ['+614123456789', 'exactly 9 digits'],
    ['+380', 'exactly 9 digits'],
  ])('rejects %s: the national number must have %s', (input, range) => {
    const error = rejected(input);
    expect(error.reason).toBe('length');
    expect(error.message).toContain(range);
  });

  it.each([
    '+14155552671',
    '+380123456789',
    '+79161234567',
    '+33612345678',
    '+441234567',
    '+44123456789',
    '+442079460958',
    '+49301234',
    '+4915123456789',
    '+4930123456789',
    '+8613812345678',
    '+61412345678',
  ])('accepts %s at a boundary of its range', (input) => {
    expect(accepted(input)).toBe(input);
  });

  it('explains the expected length in the message', () => {
    expect(rejected('+3801234').message).toBe(
      'phone numbers for +380 (Ukraine) must have exactly 9 digits after the country code, but 4 were given',
    );
  });

  it('never accepts more than 15 digits', () => {
    expect(rejected('+88212345678901234').reason).toBe('length');
    expect(rejected('+1234567890123456789').reason).toBe('length');
  });
});

describe('parsePhone: national number structure', () => {
  it.each(['+1 055 555 2671', '+1 155 555 2671'])('rejects the North American area code in %j', (input) => {
    const error = rejected(input);
    expect(error.reason).toBe('format');
    expect(error.message).toContain('area code');
  });

  it.each(['+1 415 055 2671', '+1 415 155 2671'])('rejects the North American exchange code in %j', (input) => {
    const error = rejected(input);
    expect(error.reason).toBe('format');
    expect(error.message).toContain('exchange code');
  });

  it.each(['+44 020 7946 095', '+49 030 1234567', '+380 050 123 456', '+33 06 1234 567', '+7 0161234567'])(
    'rejects a kept trunk prefix 0 in %j',
    (input) => {
      const error = rejected(input);
      expect(error.reason).toBe('format');
      expect(error.message).toContain('without its leading 0');
    },
  );

  it('keeps the leading 0 where it belongs to the number (Italy)', () => {
    expect(accepted('+39 06 1234 5678')).toBe('+390612345678');
  });
});

describe('parsePhone: robustness', () => {
  it.each([[undefined], [null], [380123456789], [{}], [['+380123456789']]])('returns a format error for the non-string %j', (input) => {
    expect(rejected(input as unknown as string).reason).toBe('format');
  });

  it('writes every error as an actionable sentence about the phone', () => {
    const inputs = [
      '',
      '380123456789',
      '+999123456',
      '+3801234',
      '+1 055 555 2671',
      '+380 ext',
      '+380/1',
      '+(1',
      '+3+8',
      'x'.repeat(41),
      '\n',
    ];
    for (const input of inputs) {
      const { message } = rejected(input);
      expect(message).toMatch(/^phone /);
      expect(message.length).toBeGreaterThan(30);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based tests
// ---------------------------------------------------------------------------------------------

const digit = fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
const nonZeroDigit = fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '8', '9');
const twoToNine = fc.constantFrom('2', '3', '4', '5', '6', '7', '8', '9');

function nationalNumber(country: CountryCallingCode): fc.Arbitrary<string> {
  return fc.integer({ min: country.minLength, max: country.maxLength }).chain((length) => {
    const rest = fc.array(digit, { minLength: length - 1, maxLength: length - 1 }).map((d) => d.join(''));
    if (country.rule === 'nanp') {
      return fc
        .tuple(twoToNine, digit, digit, twoToNine, fc.array(digit, { minLength: 6, maxLength: 6 }))
        .map(([a, b, c, d, tail]) => a + b + c + d + tail.join(''));
    }
    const first = country.rule === 'no-trunk-zero' ? nonZeroDigit : digit;
    return fc.tuple(first, rest).map(([head, tail]) => head + tail);
  });
}

/** The digits (without +) of a number that is valid under some assigned country code. */
const validDigits: fc.Arbitrary<string> = fc
  .constantFrom(...COUNTRY_CALLING_CODES)
  .chain((country) => nationalNumber(country).map((national) => country.code + national));

const separator = fc.constantFrom(' ', '-', '.', '\u00a0');

/** Valid digits written with one optional separator before each digit (also right after the +). */
const decorated: fc.Arbitrary<{ digits: string; text: string }> = validDigits.chain((digits) =>
  fc
    .array(fc.option(separator, { nil: '' }), { minLength: digits.length, maxLength: digits.length })
    .map((gaps) => ({ digits, text: '+' + [...digits].map((d, i) => (gaps[i] ?? '') + d).join('') })),
);

/**
 * Messier, mostly valid, writing: either prefix, digit chunks some of which are parenthesised,
 * runs of separators, a "(0)" trunk marker, surrounding spaces, and sometimes digits added or lost.
 */
const messy: fc.Arbitrary<string> = fc
  .tuple(
    validDigits,
    fc.constantFrom('+', '00', '+ '),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.string({ unit: separator, maxLength: 2 })), {
      minLength: 1,
      maxLength: 8,
    }),
    fc.boolean(),
    fc.constantFrom('', ' ', '\u00a0 '),
    fc.constantFrom('', '1', '12', 'drop'),
  )
  .map(([digits, prefix, chunks, trunkMarker, padding, tweak]) => {
    let rest = tweak === 'drop' ? digits.slice(0, -1) : digits + tweak;
    let body = '';
    chunks.forEach(([size, parenthesised, sep], index) => {
      const chunk = rest.slice(0, size);
      rest = rest.slice(size);
      if (chunk.length > 0) body += (parenthesised ? `(${chunk})` : chunk) + sep;
      if (trunkMarker && index === 0) body += '(0)';
    });
    return padding + prefix + body + rest + padding;
  });

const phoneAlphabet = fc.constantFrom(...'+0123456789 -.()\u00a0');
const phoneLikeString = fc.oneof(
  fc.string({ unit: phoneAlphabet, maxLength: 45 }),
  fc.string({ unit: phoneAlphabet, maxLength: 20 }).map((s) => '+' + s),
  fc.string({ unit: phoneAlphabet, maxLength: 20 }).map((s) => '00' + s),
  decorated.map(({ text }) => text),
  messy,
);

const letter = fc.oneof(
  fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  fc.constantFrom('é', 'ß', 'Ж', 'ж', 'Ω', 'ا', '中', 'ㄱ', 'ǅ', 'ª', 'ｘ', '𝐀', '𐐀'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((s) => /^\p{L}$/u.test(s)),
);
const control = fc
  .oneof(fc.integer({ min: 0x00, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((code) => String.fromCharCode(code));

describe('parsePhone: properties', () => {
  it('(1) every accepted input yields E.164 output that parses to itself', () => {
    fc.assert(
      fc.property(fc.oneof(phoneLikeString, fc.string()), (input) => {
        const result = parsePhone(input);
        if (!result.ok) return;
        expect(result.value).toMatch(E164);
        const again = parsePhone(result.value);
        expect(again).toEqual({ ok: true, value: result.value });
      }),
      { numRuns: 2000 },
    );
  });

  it('(1b) every generated valid number is accepted as +digits and as 00digits', () => {
    fc.assert(
      fc.property(validDigits, (digits) => {
        expect(parsePhone('+' + digits)).toEqual({ ok: true, value: '+' + digits });
        expect(parsePhone('00' + digits)).toEqual({ ok: true, value: '+' + digits });
      }),
      { numRuns: 1000 },
    );
  });

  it('(2) separators between the digits do not change the result', () => {
    fc.assert(
      fc.property(decorated, ({ digits, text }) => {
        expect(text.length).toBeLessThanOrEqual(40);
        expect(parsePhone(text)).toEqual(parsePhone('+' + digits));
        expect(parsePhone(text)).toEqual({ ok: true, value: '+' + digits });
      }),
      { numRuns: 1000 },
    );
  });

  it('(3) any string containing a letter or a control character is rejected', () => {
    const base = fc.oneof(phoneLikeString, fc.string(), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(base, fc.oneof(letter, control), fc.nat(), (text, bad, at) => {
        const position = at % (text.length + 1);
        const input = text.slice(0, position) + bad + text.slice(position);
        expect(parsePhone(input).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('(3b) a letter or control character inside an otherwise valid number is rejected', () => {
    fc.assert(
      fc.property(decorated, fc.oneof(letter, control), fc.nat(), ({ text }, bad, at) => {
        const position = at % (text.length + 1);
        const result = parsePhone(text.slice(0, position) + bad + text.slice(position));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.reason).toBe('format');
      }),
      { numRuns: 1000 },
    );
  });

  it('(4) never throws, whatever the string', () => {
    const anyString = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }), // full Unicode, including lone surrogates (fast-check 4's fullUnicodeString)
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      phoneLikeString,
    );
    fc.assert(
      fc.property(anyString, (input) => {
        const result = parsePhone(input);
        if (result.ok) expect(result.value).toMatch(E164);
        else expect(result.error.message).toMatch(/^phone /);
      }),
      { numRuns: 3000 },
    );
  });
});
