import { describe, expect, it } from 'vitest';
import { timestampMs } from './timestamp-ms.js';

describe('timestampMs', () => {
  it.each(['1997-01-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '1970-01-01T00:00:00.001Z', '2038-01-19T03:14:07.123Z'])(
    'reads the canonical form %s as Date.parse does',
    (timestamp) => {
      expect(timestampMs(timestamp)).toBe(Date.parse(timestamp));
    },
  );

  it('falls back to Date.parse for other ISO forms, and gives NaN for text that is not a date', () => {
    expect(timestampMs('2024-03-01T10:00:00+02:00')).toBe(Date.parse('2024-03-01T08:00:00.000Z'));
    expect(timestampMs('2024-03-01')).toBe(Date.parse('2024-03-01T00:00:00.000Z'));
    expect(timestampMs('2024-0x-01T00:00:00.000Z')).toBeNaN();
    expect(timestampMs('2024/01/01T00:00:00.000Z')).toBe(Date.parse('2024/01/01T00:00:00.000Z'));
  });

  it.each([
    '2024-13-01T00:00:00.000Z',
    '2024-00-10T00:00:00.000Z',
    '2024-02-32T00:00:00.000Z',
    '2024-01-01T10:60:00.000Z',
    '2024-02-30T00:00:00.000Z',
    '2024-01-01T24:00:00.000Z',
  ])('agrees with Date.parse on the edge %s', (timestamp) => {
    expect(timestampMs(timestamp)).toEqual(Date.parse(timestamp));
  });
});
