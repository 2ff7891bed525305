import { describe, expect, it } from 'vitest';
import { clvHistogram, renderAnalyticsReport, type AnalyticsReportData } from '../../infra/local/cdnow/analytics-report.js';

const groups = [0, 1, 2, 3, 4, 5, 6, 7].map((x) => ({
  calibrationRepeatTransactions: x,
  label: x === 7 ? '7+' : String(x),
  customers: 100 - x * 10,
  actual: 40 + x,
  predicted: 38.25 + x,
}));

const data: AnalyticsReportData = {
  title: 'Report <with> "markup" & more',
  generatedAt: '2026-11-28T08:00:00.000Z',
  summary: [['orders replayed', '6919']],
  parameters: [
    { name: 'BG/NBD r', fitted: 0.2426, published: 0.243 },
    { name: 'corr', fitted: 0.11, published: null },
  ],
  holdout: {
    customers: 100,
    holdoutWeeks: 39,
    actual: 1882,
    predicted: 1653.4,
    predictedUnconditional: 1666.7,
    cumulativeActual: 4339,
    cumulativePredicted: 4160.6,
    byCalibrationFrequency: groups,
  },
  aucs: [{ score: 'churn risk score', auc: 0.7726 }],
  segments: [
    { segment: 'champions', customers: 469, revenueShare: 0.454 },
    { segment: 'hibernating', customers: 558, revenueShare: 0.108 },
  ],
  clv: [0, 1, 2, 3, 50, 100, 1000],
  cohorts: [
    { cohort: '1997-01', customers: 781, retention: [0.2, 0.1, 0.05] },
    { cohort: '1997-02', customers: 800, retention: [0.15, 0.08] },
  ],
  top: [{ customer: '05420', segment: 'champions', pAlive: 0.946, clv: 1175.71 }],
};

describe('the CDNOW analytics report', () => {
  const html = renderAnalyticsReport(data);

  it('is one self-contained page: four inline SVG charts, no script, nothing loaded from anywhere', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg[\s>]/g)).toHaveLength(4);
    expect(html).not.toMatch(/<script|<link|<img|@import|src=/i);
    // The only URLs are the SVG namespaces.
    const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  });

  it('shows the numbers it was given, and escapes text', () => {
    expect(html).toContain('<title>Report &lt;with&gt; &quot;markup&quot; &amp; more</title>');
    expect(html).toContain('<td>BG/NBD r</td><td>0.2426</td><td>0.243</td><td>-0.16 %</td>');
    expect(html).toContain('<td>7+</td><td>30</td><td>47</td><td>45.3</td>');
    expect(html).toContain('<td>churn risk score</td><td>0.7726</td>');
    expect(html).toContain('<td>champions</td><td>469</td><td>45.4 %</td>');
    expect(html).toContain('<td>05420</td><td>champions</td><td>0.946</td><td>1175.71</td>');
    // The charts carry the data too: category labels and the cohort rows.
    expect(html).toContain('1997-01 (781)');
    expect(html).toContain('hibernating');
  });

  it('bins CLV into 20 equal bins up to the 99th percentile plus one for the rest, losing no customer', () => {
    const values = Array.from({ length: 1000 }, (_, index) => index);
    const { labels, counts } = clvHistogram(values);
    expect(counts).toHaveLength(21);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1000);
    // The 99th percentile is 990: bins are 49.5 wide, and 990 … 999 land in the last one.
    expect(counts[20]).toBe(10);
    expect(labels[20]).toBe('≥ 990');
    expect(clvHistogram([])).toEqual({ labels: [], counts: [] });
  });
});
