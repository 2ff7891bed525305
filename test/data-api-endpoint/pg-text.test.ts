import { describe, expect, it } from 'vitest';
import { arrayDepth, byteaToBase64, parseArrayLiteral, timestamptzToUtc, timetzToUtc } from '../../infra/local/data-api/pg-text.js';

describe('array literals', () => {
  it('reads plain, quoted, escaped and NULL elements', () => {
    expect(parseArrayLiteral('{1,NULL,3}')).toEqual(['1', null, '3']);
    expect(parseArrayLiteral('{"a b","c\\"d","NULL",e}')).toEqual(['a b', 'c"d', 'NULL', 'e']);
    expect(parseArrayLiteral('{}')).toEqual([]);
  });

  it('reads nested arrays and explicit bounds', () => {
    const items = parseArrayLiteral('[0:1]={{1,2},{3,4}}');
    expect(items).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(arrayDepth(items)).toBe(2);
    expect(arrayDepth(parseArrayLiteral('{1}'))).toBe(1);
  });
});

describe('bytea', () => {
  it('turns hex and escape output into base64', () => {
    expect(byteaToBase64('\\x010203ff')).toBe(Buffer.from([1, 2, 3, 255]).toString('base64'));
    expect(byteaToBase64('a\\\\\\001')).toBe(Buffer.from([0x61, 0x5c, 0x01]).toString('base64'));
  });
});

describe('zoned date/time', () => {
  it('gives timestamptz in UTC without a zone, keeping the fraction as printed', () => {
    expect(timestamptzToUtc('2021-03-03 10:31:15.077+02')).toBe('2021-03-03 08:31:15.077');
    expect(timestamptzToUtc('2021-03-03 23:30:00-05:30')).toBe('2021-03-04 05:00:00');
    expect(timestamptzToUtc('2021-03-03 08:31:15.123456+00')).toBe('2021-03-03 08:31:15.123456');
    expect(timestamptzToUtc('0099-12-31 23:00:00-02')).toBe('0100-01-01 01:00:00');
    expect(timestamptzToUtc('infinity')).toBe('infinity');
  });

  it('gives timetz in UTC without a zone', () => {
    expect(timetzToUtc('15:30:00-08')).toBe('23:30:00');
    expect(timetzToUtc('01:00:00.5+02')).toBe('23:00:00.5');
  });
});
