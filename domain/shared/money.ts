import { err, ok, type Result } from './result.js';

export type CurrencyCode = string & { readonly __brand: 'CurrencyCode' };

/** Active ISO 4217 alphabetic codes (2024 list), funds and precious metals excluded. */
const ISO_4217 = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP ' +
    'CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ' +
    'ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT ' +
    'MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD ' +
    'SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND ' +
    'VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG'
  ).split(' '),
);

export function parseCurrency(input: string): Result<CurrencyCode, string> {
  return ISO_4217.has(input)
    ? ok(input as CurrencyCode)
    : err(`currency must be an ISO 4217 code such as EUR or USD, got "${input.slice(0, 10)}"`);
}

/** An amount in the currency's minor unit (cents), so sums stay exact. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
}

/** Totals per currency: amounts in different currencies are never added together. */
export type MoneyTotals = Readonly<Record<string, number>>;

/**
 * Adds an amount to (or, with sign -1, takes it from) the totals. A total past 2^53 - 1 minor
 * units could not be held exactly as a number, so such a sum is refused rather than rounded.
 */
export function addTo(totals: MoneyTotals, money: Money, sign: 1 | -1 = 1): Result<MoneyTotals, string> {
  const next = (totals[money.currency] ?? 0) + sign * money.amountMinor;
  if (!Number.isSafeInteger(next)) {
    return err(`the total in ${money.currency} would exceed ${Number.MAX_SAFE_INTEGER} minor units, more than is held exactly`);
  }
  const { [money.currency]: _previous, ...others } = totals;
  return ok(next === 0 ? others : { ...others, [money.currency]: next });
}
