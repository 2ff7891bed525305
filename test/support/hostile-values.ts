/** Inputs that broke the service as an attacker sent them; the hostile-input suites inject them everywhere. */

/** Values no text field accepts, wherever it is (PostgreSQL refuses the first two; the rest do not show, or drive a terminal). */
export const UNCLEAN_TEXT: readonly (readonly [string, string])[] = [
  ['NUL', 'a\u0000b'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', '\udc00'],
  ['zero-width spaces only', '\u200b\u200b'],
  ['a zero-width joiner between spaces', ' \u200d '],
  ['the Braille blank', '\u2800'],
  ['a Hangul filler', '\u3164'],
  ['an ANSI colour sequence', '\u001b[31mred\u001b[0m'],
  ['a terminal title escape', '\u001b]0;owned\u0007'],
  ['a C1 CSI', '\u009b2J'],
  ['backspaces', 'ab\u0008\u0008'],
];

/** Dates JavaScript accepts (or reads as another day) and PostgreSQL does not store as meant. */
export const BAD_DATES = [
  '2025-02-30',
  '2025-02-30T00:00:00Z',
  '2025-04-31T12:00:00Z',
  '0000-01-01',
  '0000-06-01T00:00:00Z',
  '0001-01-01T00:30:00+01:00',
  '9999-12-31T23:00:00-05:00',
  '2025-13-01',
  '2025-01-01T24:00:00Z',
  '1',
  '+275760-09-13T00:00:00.000Z',
  'Tue, 30 Dec 2025 10:00:00 GMT',
];

const forge = (payload: unknown) => Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64url');
const SOME_ID = '019b6ec4-774c-70e0-9c2c-7ba19630289d';
/** Cursors a caller could make up: keys Date.parse accepts and PostgreSQL does not, unclean text, broken shapes. */
export const FORGED_CURSORS = [
  forge({ s: '-created_at', k: '2025-02-30T00:00:00.000Z', i: SOME_ID }),
  forge({ s: '-created_at', k: '1', i: SOME_ID }),
  forge({ s: '-created_at', k: '0000-01-01T00:00:00.000Z', i: SOME_ID }),
  forge({ s: 'created_at', k: '+275760-09-13T00:00:00.000Z', i: SOME_ID }),
  forge({ s: '-created_at', k: '2025-12-30T10:00:00.000Z', i: 'not-a-uuid' }),
  forge({ s: 'name', k: 'a\u0000b', i: SOME_ID }),
  forge(`{"s":"name","k":"\\ud800","i":"${SOME_ID}"}`),
  forge({ s: '-name', k: '\u001b[31m', i: SOME_ID }),
  forge({ s: 'name', k: '', i: SOME_ID }),
  forge({ s: 'name', k: 'x'.repeat(5000), i: SOME_ID }),
  forge('[]'),
  forge('null'),
  'not-a-cursor',
];
