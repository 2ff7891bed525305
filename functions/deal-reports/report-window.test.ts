import { describe, expect, it } from 'vitest';
import { resolvePeriods, resolveWindow } from './report-window.js';

const NOW = new Date('2026-11-28T10:00:00.000Z');

describe('report windows', () => {
  it('default to the 90 days before now; from may equal to; more than 731 days or from after to is refused', () => {
    expect(resolveWindow({}, NOW)).toEqual({ from: '2026-08-30T10:00:00.000Z', to: '2026-11-28T10:00:00.000Z' });
    expect(resolveWindow({ from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' }, NOW)).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T00:00:00.000Z',
    });
    expect(resolveWindow({ from: '2026-01-02T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' }, NOW)).toMatchObject({ field: 'from' });
    // 2024-01-01 → 2026-01-01 is 731 days (2024 is a leap year): allowed; a day more is not.
    expect(resolveWindow({ from: '2024-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' }, NOW)).not.toHaveProperty('field');
    expect(resolveWindow({ from: '2024-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' }, NOW)).toMatchObject({ field: 'to' });
  });

  it('forecast periods: calendar months and quarters holding from and to, both included', () => {
    expect(resolvePeriods({ period: 'month', from: '2028-01-15T00:00:00.000Z', to: '2028-03-02T00:00:00.000Z' }, NOW)).toEqual([
      { label: '2028-01', start: '2028-01-01', end: '2028-01-31' },
      { label: '2028-02', start: '2028-02-01', end: '2028-02-29' },
      { label: '2028-03', start: '2028-03-01', end: '2028-03-31' },
    ]);
    // Without from/to: this quarter and the next three.
    expect(resolvePeriods({ period: 'quarter' }, NOW)).toEqual([
      { label: '2026-Q4', start: '2026-10-01', end: '2026-12-31' },
      { label: '2027-Q1', start: '2027-01-01', end: '2027-03-31' },
      { label: '2027-Q2', start: '2027-04-01', end: '2027-06-30' },
      { label: '2027-Q3', start: '2027-07-01', end: '2027-09-30' },
    ]);
    expect(resolvePeriods({ period: 'month' }, NOW)).toHaveLength(3);
  });

  it('forecast periods: at most 24, and from must not be after to', () => {
    expect(resolvePeriods({ period: 'month', from: '2026-01-01T00:00:00.000Z', to: '2027-12-31T00:00:00.000Z' }, NOW)).toHaveLength(24);
    expect(resolvePeriods({ period: 'month', from: '2026-01-01T00:00:00.000Z', to: '2028-01-01T00:00:00.000Z' }, NOW)).toMatchObject({
      field: 'to',
    });
    expect(resolvePeriods({ period: 'quarter', from: '2026-05-01T00:00:00.000Z', to: '2026-04-30T00:00:00.000Z' }, NOW)).toMatchObject({
      field: 'from',
    });
  });
});
