import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasVisibleCharacter, textProblem, unstorableIn } from './text.js';

describe('clean text', () => {
  it.each([
    ['NUL', 'a\u0000b', 'NUL'],
    ['a lone high surrogate', 'a\ud800b', 'unpaired surrogate'],
    ['a lone low surrogate', '\udc00', 'unpaired surrogate'],
    ['an ANSI colour sequence', '\u001b[31mred\u001b[0m', 'control characters'],
    ['a C1 CSI', '\u009b31m', 'control characters'],
    ['BEL', 'ding\u0007', 'control characters'],
    ['backspace', 'a\u0008b', 'control characters'],
    ['a line feed in single-line text', 'a\nb', 'control characters'],
    ['zero-width spaces only', '\u200b\u200b', 'visible character'],
    ['a BOM and a zero-width space', '\ufeff\u200b', 'visible character'],
    ['zero-width joiners and spaces only', ' \u200d \u200c ', 'visible character'],
    ['the Braille blank', '\u2800', 'visible character'],
    ['Hangul fillers', '\u3164\u115f', 'visible character'],
    ['an RTL mark only', '\u200f', 'visible character'],
  ])('refuses %s', (_name, text, problem) => {
    expect(textProblem(text)).toContain(problem);
  });

  it.each([
    ['a name', 'Ada Lovelace'],
    ['an accented name', 'Zoë Ångström'],
    ['a name in another script', 'Олена Петренко'],
    ['an emoji with a joiner', '👩‍💻'],
    ['a Persian name with a zero-width non-joiner', 'می‌خواهم'],
    ['empty text (length rules decide)', ''],
    ['blank text (the field decides)', '   '],
  ])('accepts %s', (_name, text) => {
    expect(textProblem(text)).toBeNull();
  });

  it('allows line breaks and tabs only where asked', () => {
    expect(textProblem('first line\r\n\tsecond', { lineBreaks: true })).toBeNull();
    expect(textProblem('first\u001b[2J', { lineBreaks: true })).toContain('control characters');
  });

  it('a string with a surrogate pair is storable, one with half a pair is not (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(unstorableIn(text.replace(/\u0000/g, ''))).toBeNull();
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string(), (before, unit, after) => {
        const text = `${before.replace(/[\ud800-\udfff]/g, '')}${String.fromCharCode(unit)}${after.replace(/[\ud800-\udfff]/g, '')}`;
        expect(unstorableIn(text)).toContain('unpaired surrogate');
      }),
    );
  });

  it('any text with a letter in it is visible', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(hasVisibleCharacter(`${a}x${b}`)).toBe(true);
      }),
    );
  });
});
