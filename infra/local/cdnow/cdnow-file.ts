import { existsSync, readFileSync } from 'node:fs';
import type { AnalyticsOrder } from '../../../domain/analytics/customer-summary.js';
import type { CurrencyCode } from '../../../domain/shared/money.js';

/** The CDNOW purchase histories (../shared/datasets/cdnow/README.md): the master file and the papers' 1/10 sample. */
export type CdnowFile = 'master' | 'sample';

export const CDNOW_FILES: Readonly<Record<CdnowFile, URL>> = {
  master: new URL('../../../../shared/datasets/cdnow/CDNOW_master.txt', import.meta.url),
  sample: new URL('../../../../shared/datasets/cdnow/CDNOW_sample.txt', import.meta.url),
};

export const cdnowFilePresent = (file: CdnowFile): boolean => existsSync(CDNOW_FILES[file]);

const USD = 'USD' as CurrencyCode;

/** Exact cents from the file's decimal dollars ("11.77" → 1177), so sums stay exact. */
export function cents(dollars: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(dollars);
  if (!match) throw new Error(`CDNOW: "${dollars}" is not a dollar amount`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

const isoDate = (yyyymmdd: string) => {
  if (!/^\d{8}$/.test(yyyymmdd)) throw new Error(`CDNOW: "${yyyymmdd}" is not a YYYYMMDD date`);
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T00:00:00.000Z`;
};

/**
 * The file's rows as completed USD orders at midnight UTC of their day, one order per row (same-day rows stay separate
 * orders; the analytics merge them). The customer id is the master file's id in both files (the sample carries it
 * first, then its own sample id). The master file has a header line; the sample has none.
 */
export function readCdnowOrders(file: CdnowFile): AnalyticsOrder[] {
  const orders: AnalyticsOrder[] = [];
  for (const line of readFileSync(CDNOW_FILES[file], 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[0] === 'customer_id') continue;
    const [customerId, date, , dollars] =
      file === 'sample' ? [fields[0]!, fields[2]!, fields[3], fields[4]!] : [fields[0]!, fields[1]!, fields[2], fields[3]!];
    orders.push({ customerId, placedAt: isoDate(date), state: 'completed', total: { amountMinor: cents(dollars), currency: USD } });
  }
  return orders;
}

/** The papers' periods: a 39-week calibration (1997-01-01 to 1997-09-30) and a 39-week holdout (to 1998-06-30). */
export const CDNOW_PERIODS = {
  calibrationEnd: '1997-09-30T00:00:00.000Z',
  holdoutEnd: '1998-06-30T00:00:00.000Z',
  holdoutWeeks: 39,
} as const;
