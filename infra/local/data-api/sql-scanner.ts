/**
 * Lexical scan of one PostgreSQL SQL text, as the Data API needs it:
 * - named parameters `:name` become positional `$n` (a name used twice keeps one number); a name
 *   is letters, digits and underscores and may start with a digit (kysely-data-api sends `:0`, `:1`);
 * - a second statement after a `;` is detected (a trailing `;` alone is fine).
 * Nothing inside string literals (standard, `E'...'`, dollar-quoted), quoted identifiers or
 * comments counts, and `::type` casts are left alone.
 */

export interface ScannedSql {
  /** The SQL with every named parameter replaced by `$n`. */
  readonly text: string;
  /** Parameter names in positional order: `names[0]` is `$1`. */
  readonly names: readonly string[];
  /** Whether the text holds more than one statement. */
  readonly multipleStatements: boolean;
}

const isIdentifierStart = (ch: string | undefined): boolean => ch !== undefined && (/[A-Za-z_]/.test(ch) || ch.charCodeAt(0) >= 0x80);

const isIdentifierPart = (ch: string | undefined): boolean => ch !== undefined && (/[A-Za-z0-9_$]/.test(ch) || ch.charCodeAt(0) >= 0x80);

const isParameterPart = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_]/.test(ch);

/** Index just past a quoted run that started at `start` (the opening quote). */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

function skipLineComment(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end === -1 ? sql.length : end + 1;
}

/** The dollar-quote tag (`$tag$` or `$$`) opening at `start`, if one does. */
function dollarTag(sql: string, start: number): string | undefined {
  const match = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(start, start + 256));
  return match?.[0];
}

export function scanSql(sql: string): ScannedSql {
  const names: string[] = [];
  const positions = new Map<string, number>();
  let text = '';
  let multipleStatements = false;
  let afterSemicolon = false;
  let i = 0;

  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    const prev = i > 0 ? sql[i - 1] : undefined;
    let end: number;

    if (ch === '-' && next === '-') {
      end = skipLineComment(sql, i);
    } else if (ch === '/' && next === '*') {
      end = skipBlockComment(sql, i);
    } else if (/\s/.test(ch)) {
      end = i + 1;
    } else {
      if (ch === ';') {
        afterSemicolon = true;
        text += ch;
        i++;
        continue;
      }
      if (afterSemicolon) multipleStatements = true;

      if (ch === "'") {
        const escaped = (prev === 'E' || prev === 'e') && !isIdentifierPart(sql[i - 2]);
        end = skipQuoted(sql, i, "'", escaped);
      } else if (ch === '"') {
        end = skipQuoted(sql, i, '"', false);
      } else if (ch === '$' && !isIdentifierPart(prev) && dollarTag(sql, i) !== undefined) {
        const tag = dollarTag(sql, i) as string;
        const close = sql.indexOf(tag, i + tag.length);
        end = close === -1 ? sql.length : close + tag.length;
      } else if (ch === ':' && next === ':') {
        end = i + 2;
      } else if (ch === ':' && isParameterPart(next)) {
        let j = i + 1;
        while (isParameterPart(sql[j])) j++;
        const name = sql.slice(i + 1, j);
        let position = positions.get(name);
        if (position === undefined) {
          names.push(name);
          position = names.length;
          positions.set(name, position);
        }
        text += `$${position}`;
        i = j;
        continue;
      } else if (isIdentifierStart(ch)) {
        end = i + 1;
        while (isIdentifierPart(sql[end])) end++;
      } else {
        end = i + 1;
      }
    }
    text += sql.slice(i, end);
    i = end;
  }
  return { text, names, multipleStatements };
}
