import { describe, expect, it } from 'vitest';
import { MAX_WIN_RATE_GROUPS, winRateGroups, type WinRateRow } from './win-rate-report.js';

const row = (group: string, status: 'won' | 'lost', deals: number): WinRateRow => ({
  group_key: group,
  currency: 'EUR',
  status,
  lost_reason: status === 'lost' ? 'price' : null,
  deals: String(deals),
  amount: String(deals * 100),
});

describe('win-rate groups', () => {
  it('lists the groups with most closed deals first, at most 100, and counts the rest', () => {
    // 102 sources: source-000 closed 1 deal, source-001 closed 2, …; two more groups than the answer holds.
    const rows = Array.from({ length: MAX_WIN_RATE_GROUPS + 2 }, (_, n) => row(`source-${String(n).padStart(3, '0')}`, 'won', n + 1));
    const { groups, other_groups } = winRateGroups(rows);
    expect(groups).toHaveLength(MAX_WIN_RATE_GROUPS);
    expect(other_groups).toBe(2);
    expect(groups[0]!.key).toBe('source-101');
    expect(groups.at(-1)!.key).toBe('source-002');
  });

  it('ties are ordered by key; counts and amounts come from the grouped rows', () => {
    const { groups } = winRateGroups([row('b', 'won', 1), row('a', 'lost', 1), row('a', 'won', 0)]);
    expect(groups.map((group) => [group.key, group.won, group.lost, group.win_rate])).toEqual([
      ['a', 0, 1, 0],
      ['b', 1, 0, 1],
    ]);
    expect(groups[0]!.currencies).toEqual([{ currency: 'EUR', won: 0, lost: 1, won_minor: 0, lost_minor: 100, win_rate_by_amount: 0 }]);
  });
});
