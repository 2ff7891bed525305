import type { Timestamp } from '../shared/timestamp.js';

const DIGIT_0 = 48;

const digits = (text: string, from: number, length: number) => {
  let value = 0;
  for (let index = from; index < from + length; index += 1) {
    const digit = text.charCodeAt(index) - DIGIT_0;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
};

/**
 * Milliseconds since the epoch of a timestamp. The domain's canonical form, `YYYY-MM-DDTHH:MM:SS.sssZ`, is read
 * field by field (several times faster than Date.parse, which matters for millions of orders); anything else goes to Date.parse.
 */
export function timestampMs(timestamp: Timestamp): number {
  if (timestamp.length === 24 && timestamp.charCodeAt(23) === 90 /* Z */ && timestamp.charCodeAt(10) === 84 /* T */) {
    const value = Date.UTC(
      digits(timestamp, 0, 4),
      digits(timestamp, 5, 2) - 1,
      digits(timestamp, 8, 2),
      digits(timestamp, 11, 2),
      digits(timestamp, 14, 2),
      digits(timestamp, 17, 2),
      digits(timestamp, 20, 3),
    );
    if (!Number.isNaN(value)) return value;
  }
  return Date.parse(timestamp);
}
