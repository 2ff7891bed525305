import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './timestamp.js';

describe('strict ISO-8601 timestamps', () => {
  it.each([
    ['2025-12-30', { allowDate: true }, '2025-12-30T00:00:00.000Z'],
    ['2025-12-30T10:00:00Z', {}, '2025-12-30T10:00:00.000Z'],
    ['2025-12-30T10:00Z', {}, '2025-12-30T10:00:00.000Z'],
    ['2025-12-30T10:00:00.123456+02:00', {}, '2025-12-30T08:00:00.123Z'],
    ['2025-12-30T10:00:00-0530', {}, '2025-12-30T15:30:00.000Z'],
    ['2024-02-29T00:00:00Z', {}, '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', {}, '2000-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', {}, '0001-01-01T00:00:00.000Z'],
    ['0050-06-01T00:00:00Z', {}, '0050-06-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', {}, '9999-12-31T23:59:59.999Z'],
    ['2025-12-30T10:00:00', {}, '2025-12-30T10:00:00.000Z'],
  ])('reads %s', (input, rules, expected) => {
    expect(parseTimestamp(input, rules)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['2025-02-30T00:00:00Z', 'exists'],
    ['2025-02-29T00:00:00Z', 'exists'],
    ['1900-02-29T00:00:00Z', 'exists'],
    ['2025-04-31T00:00:00Z', 'exists'],
    ['2025-13-01T00:00:00Z', 'exists'],
    ['2025-00-10T00:00:00Z', 'exists'],
    ['2025-01-01T24:00:00Z', 'exists'],
    ['2025-01-01T23:60:00Z', 'exists'],
    ['2025-01-01T23:59:60Z', 'exists'],
    ['0000-01-01T00:00:00Z', 'year 0'],
    ['0001-01-01T00:30:00+01:00', 'once its offset'],
    ['9999-12-31T23:00:00-05:00', 'once its offset'],
    ['2025-01-01T00:00:00+24:00', 'offset'],
    ['+275760-09-13T00:00:00.000Z', 'ISO-8601'],
    ['1', 'ISO-8601'],
    ['2025-1-1', 'ISO-8601'],
    ['2025-12-30 10:00:00Z', 'ISO-8601'],
    ['2025-12-30T10:00:00Z ', 'ISO-8601'],
    ['２０２５-12-30T10:00:00Z', 'ISO-8601'],
    ['2025-12-30', 'time'],
  ])('refuses %s', (input, problem) => {
    const parsed = parseTimestamp(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(problem);
  });

  it('refuses a date-time without offset when one is required', () => {
    expect(parseTimestamp('2025-12-30T10:00:00', { requireOffset: true }).ok).toBe(false);
  });

  it('agrees with the instant JavaScript computes for every valid date-time with an offset (property)', () => {
    const instant = fc.date({ min: new Date('0002-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true });
    const offset = fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45));
    fc.assert(
      fc.property(instant, offset, (date, [sign, hours, minutes]) => {
        const shift = (sign === '+' ? 1 : -1) * (hours * 60 + minutes);
        const local = new Date(date.getTime() + shift * 60_000).toISOString().slice(0, 23);
        const text = `${local}${sign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
        expect(parseTimestamp(text)).toEqual({ ok: true, value: date.toISOString() });
      }),
    );
  });
});
