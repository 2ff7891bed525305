import * as echarts from 'echarts';
import type { HoldoutEvaluation } from '../../../domain/analytics/holdout.js';

/** What the CDNOW report shows; every number comes from the service's run (see analytics-cdnow.ts). */
export interface AnalyticsReportData {
  readonly title: string;
  readonly generatedAt: string;
  readonly summary: readonly (readonly [string, string])[];
  /** Fitted parameters next to the published ones (null where the paper gives none). */
  readonly parameters: readonly { readonly name: string; readonly fitted: number; readonly published: number | null }[];
  readonly holdout: HoldoutEvaluation;
  readonly aucs: readonly { readonly score: string; readonly auc: number }[];
  readonly segments: readonly { readonly segment: string; readonly customers: number; readonly revenueShare: number }[];
  /** Every customer's CLV, in major units (dollars). */
  readonly clv: readonly number[];
  readonly cohorts: readonly { readonly cohort: string; readonly customers: number; readonly retention: readonly number[] }[];
  readonly top: readonly { readonly customer: string; readonly segment: string; readonly pAlive: number; readonly clv: number }[];
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

/** One chart as an SVG string, rendered on the server by ECharts (no DOM, no script in the page). */
function svgChart(option: echarts.EChartsCoreOption, width = 760, height = 360): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function holdoutChart(holdout: HoldoutEvaluation): string {
  const groups = holdout.byCalibrationFrequency;
  return svgChart({
    title: { text: 'Holdout repeat transactions by calibration repeat transactions', textStyle: { fontSize: 14 } },
    legend: { top: 30 },
    grid: { top: 72, left: 60, right: 20, bottom: 48 },
    xAxis: { type: 'category', name: 'calibration x', nameLocation: 'middle', nameGap: 28, data: groups.map((group) => group.label) },
    yAxis: { type: 'value', name: 'transactions' },
    series: [
      { name: 'actual', type: 'bar', data: groups.map((group) => group.actual) },
      { name: 'predicted (BG/NBD)', type: 'bar', data: groups.map((group) => Math.round(group.predicted * 10) / 10) },
    ],
  });
}

function segmentChart(segments: AnalyticsReportData['segments']): string {
  return svgChart(
    {
      title: { text: 'RFM segments: customers and share of revenue', textStyle: { fontSize: 14 } },
      legend: { top: 30 },
      grid: { top: 64, left: 60, right: 60, bottom: 96 },
      xAxis: { type: 'category', data: segments.map((row) => row.segment), axisLabel: { rotate: 35 } },
      yAxis: [
        { type: 'value', name: 'customers' },
        { type: 'value', name: 'revenue %', max: 100 },
      ],
      series: [
        { name: 'customers', type: 'bar', data: segments.map((row) => row.customers) },
        { name: 'revenue share (%)', type: 'bar', yAxisIndex: 1, data: segments.map((row) => Math.round(row.revenueShare * 1000) / 10) },
      ],
    },
    760,
    400,
  );
}

/** A histogram of CLV: 20 equal bins up to the 99th percentile, the rest in a last bin. */
export function clvHistogram(values: readonly number[], bins = 20): { labels: string[]; counts: number[] } {
  if (values.length === 0) return { labels: [], counts: [] };
  const sorted = [...values].sort((left, right) => left - right);
  const top = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
  const width = top > 0 ? top / bins : 1;
  const counts = new Array<number>(bins + 1).fill(0);
  for (const value of values) counts[Math.min(bins, Math.floor(value / width))]! += 1;
  const labels = counts.map((_, index) =>
    index === bins ? `≥ ${(bins * width).toFixed(0)}` : `${(index * width).toFixed(0)}–${((index + 1) * width).toFixed(0)}`,
  );
  return { labels, counts };
}

function clvChart(values: readonly number[]): string {
  const { labels, counts } = clvHistogram(values);
  return svgChart({
    title: { text: 'CLV distribution (12 months, discounted, $)', textStyle: { fontSize: 14 } },
    grid: { top: 48, left: 60, right: 20, bottom: 80 },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: 45 } },
    yAxis: { type: 'value', name: 'customers' },
    series: [{ name: 'customers', type: 'bar', data: counts, barCategoryGap: '5%' }],
  });
}

function cohortChart(cohorts: AnalyticsReportData['cohorts']): string {
  const months = Math.max(0, ...cohorts.map((row) => row.retention.length));
  const data = cohorts.flatMap((row, y) => row.retention.map((share, x) => [x, y, Math.round(share * 1000) / 10]));
  return svgChart(
    {
      title: { text: 'Cohort retention: % of each first-order month ordering again, by months since', textStyle: { fontSize: 14 } },
      grid: { top: 48, left: 120, right: 20, bottom: 90 },
      xAxis: { type: 'category', data: Array.from({ length: months }, (_, index) => `+${index + 1}`), splitArea: { show: true } },
      yAxis: { type: 'category', data: cohorts.map((row) => `${row.cohort} (${row.customers})`), splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: Math.max(1, ...data.map((cell) => cell[2]!)),
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 8,
      },
      series: [{ type: 'heatmap', data, label: { show: true, fontSize: 9 } }],
    },
    Math.max(760, 60 + months * 34),
    Math.max(300, 140 + cohorts.length * 28),
  );
}

const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  `<table><thead><tr>${head.map((cell) => `<th>${escape(cell)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

/** The whole report: one HTML file, charts as inline SVG, no script and no external resource, so it opens offline. */
export function renderAnalyticsReport(data: AnalyticsReportData): string {
  const holdout = data.holdout;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(data.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:62rem;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:0.25rem 0.6rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}figure{margin:1rem 0}svg{max-width:100%;height:auto}
</style></head><body>
<h1>${escape(data.title)}</h1>
<p>Generated ${escape(data.generatedAt)}.</p>
${table(['', ''], data.summary)}
<h2>Fitted parameters</h2>
${table(
  ['parameter', 'fitted', 'published', 'difference'],
  data.parameters.map((row) => [
    row.name,
    row.fitted.toFixed(4),
    row.published === null ? '—' : String(row.published),
    row.published === null ? '—' : `${(((row.fitted - row.published) / row.published) * 100).toFixed(2)} %`,
  ]),
)}
<h2>Holdout</h2>
<p>Repeat transactions in the ${holdout.holdoutWeeks}-week holdout: actual ${holdout.actual}, predicted ${holdout.predicted.toFixed(1)}
(from each customer's history; ${holdout.predictedUnconditional.toFixed(1)} from the cohort's ages alone).</p>
<figure>${holdoutChart(holdout)}</figure>
${table(
  ['calibration x', 'customers', 'actual', 'predicted'],
  holdout.byCalibrationFrequency.map((group) => [group.label, String(group.customers), String(group.actual), group.predicted.toFixed(1)]),
)}
<h2>Churn risk</h2>
${table(
  ['score', 'holdout ROC AUC (no purchase in the holdout)'],
  data.aucs.map((row) => [row.score, row.auc.toFixed(4)]),
)}
<h2>RFM segments</h2>
<figure>${segmentChart(data.segments)}</figure>
${table(
  ['segment', 'customers', 'revenue share'],
  data.segments.map((row) => [row.segment, String(row.customers), `${(row.revenueShare * 100).toFixed(1)} %`]),
)}
<h2>Customer lifetime value</h2>
<figure>${clvChart(data.clv)}</figure>
${table(
  ['customer', 'segment', 'P(alive)', 'CLV ($)'],
  data.top.map((row) => [row.customer, row.segment, row.pAlive.toFixed(3), row.clv.toFixed(2)]),
)}
<h2>Cohorts</h2>
<figure>${cohortChart(data.cohorts)}</figure>
</body></html>
`;
}
