/**
 * Readers for PostgreSQL's text output formats (values are fetched as raw text so that
 * nothing is re-formatted through JavaScript types): arrays, bytea, and the zoned
 * date/time types, which the Data API returns in UTC without a zone.
 */

export type ArrayElement = string | null | ArrayElement[];

/** Parses an array literal such as `{1,NULL,"a b"}` or `[0:1]={{1,2},{3,4}}`. */
export function parseArrayLiteral(text: string): ArrayElement[] {
  let i = 0;
  if (text.startsWith('[')) {
    const eq = text.indexOf('=');
    i = eq + 1;
  }

  const parseArray = (): ArrayElement[] => {
    // text[i] === '{'
    i++;
    const items: ArrayElement[] = [];
    if (text[i] === '}') {
      i++;
      return items;
    }
    for (;;) {
      if (text[i] === '{') {
        items.push(parseArray());
      } else if (text[i] === '"') {
        i++;
        let value = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          value += text[i] ?? '';
          i++;
        }
        i++;
        items.push(value);
      } else {
        let end = i;
        while (end < text.length && text[end] !== ',' && text[end] !== '}') end++;
        const raw = text.slice(i, end);
        items.push(raw === 'NULL' ? null : raw);
        i = end;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      i++; // '}'
      return items;
    }
  };

  return text[i] === '{' ? parseArray() : [];
}

/** Number of dimensions of a parsed array (an empty array has one). */
export function arrayDepth(items: readonly ArrayElement[]): number {
  const nested = items.find((item) => Array.isArray(item));
  return Array.isArray(nested) ? 1 + arrayDepth(nested) : 1;
}

/** bytea text output (`\x…` hex, or the older escape format) → base64. */
export function byteaToBase64(text: string): string {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex').toString('base64');
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    if (text[i] === '\\') {
      if (text[i + 1] === '\\') {
        bytes.push(0x5c);
        i += 2;
      } else {
        bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
        i += 4;
      }
    } else {
      bytes.push(text.charCodeAt(i));
      i++;
    }
  }
  return Buffer.from(bytes).toString('base64');
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function offsetSeconds(sign: string, hours: string, minutes?: string, seconds?: string): number {
  const total = Number(hours) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  return sign === '-' ? -total : total;
}

const TIMESTAMPTZ = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?( BC)?$/;

/** `2021-03-03 10:31:15.077+02` → `2021-03-03 08:31:15.077` (UTC, no zone). */
export function timestamptzToUtc(text: string): string {
  const match = TIMESTAMPTZ.exec(text);
  if (!match) return text; // infinity, -infinity, or a DateStyle we do not read
  const [, y, mo, d, h, mi, s, fraction = '', sign = '+', oh = '0', om, os, bc = ''] = match;
  const offset = offsetSeconds(sign, oh, om, os);
  if (offset === 0 || bc) return `${y}-${mo}-${d} ${h}:${mi}:${s}${fraction}${bc}`;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s) - offset, 0);
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction}`
  );
}

const TIMETZ = /^(\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/;

/** `15:30:00-08` → `23:30:00` (UTC, no zone). */
export function timetzToUtc(text: string): string {
  const match = TIMETZ.exec(text);
  if (!match) return text;
  const [, h, mi, s, fraction = '', sign = '+', oh = '0', om, os] = match;
  const seconds = Number(h) * 3600 + Number(mi) * 60 + Number(s) - offsetSeconds(sign, oh, om, os);
  const day = ((seconds % 86400) + 86400) % 86400;
  return `${pad(Math.floor(day / 3600))}:${pad(Math.floor((day % 3600) / 60))}:${pad(day % 60)}${fraction}`;
}
