import type * as z from 'zod';
import { ImportFileError, type CsvCells } from './import-file.js';

/** One problem with one row, as GET /imports/{id}/errors lists it. */
export interface RowProblem {
  readonly column: string | null;
  readonly code: string;
  readonly message: string;
}

export type MappedRow =
  { readonly ok: true; readonly input: Record<string, unknown> } | { readonly ok: false; readonly problems: RowProblem[] };

export interface RowMapper {
  /** The header's columns that feed a property, and those ignored. */
  readonly mapped: Readonly<Record<string, string>>;
  readonly ignored: readonly string[];
  /** The column a property is read from (to name the column of an error about the property). */
  columnOf(property: string): string | null;
  map(cells: CsvCells): MappedRow;
}

/**
 * A cell's value for a property: its text when the property's schema takes text; otherwise the
 * JSON it holds (a number, `true`, `["vip","b2b"]`, `{"amount_minor":1000}` — what an export
 * writes for non-text values), so that the same schema as the API judges it.
 */
function cellValue(schema: z.ZodType, text: string): unknown {
  if (schema.safeParse(text).success) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Turns the file's header and the requested mappings into a row mapper. With `mappings`, each
 * named CSV column feeds its property (a named column missing from the header fails the file);
 * without, every column named exactly like an importable property feeds it. Every other column is
 * ignored. `required` (the key an update or upsert matches on) must be fed by some column.
 */
export function rowMapper(
  header: CsvCells,
  schema: z.ZodObject,
  mappings: Readonly<Record<string, string>> | null,
  required: string | null,
): RowMapper {
  const columns = header.map((cell) => (cell ?? '').trim());
  const blank = columns.findIndex((name) => name === '');
  if (blank >= 0) throw new ImportFileError(`the header row names no column ${blank + 1}: every column needs a name`);
  const twice = columns.find((name, index) => columns.indexOf(name) !== index);
  if (twice !== undefined) throw new ImportFileError(`the header row names the column "${twice}" twice`);
  const shape = schema.shape as Record<string, z.ZodType>;
  const mapped: Record<string, string> = {};
  if (mappings) {
    for (const [column, property] of Object.entries(mappings)) {
      if (!columns.includes(column)) {
        throw new ImportFileError(
          `column_mappings names the column "${column}", which the header row (${columns.join(', ')}) does not have`,
        );
      }
      mapped[column] = property;
    }
  } else {
    for (const column of columns) if (column in shape) mapped[column] = column;
  }
  if (Object.keys(mapped).length === 0) {
    throw new ImportFileError(
      `no column of the header row (${columns.join(', ')}) maps to a property; name them ${Object.keys(shape).join(', ')} or give column_mappings`,
    );
  }
  if (required !== null && !Object.values(mapped).includes(required)) {
    throw new ImportFileError(`no column maps to ${required}, which each row is matched on`);
  }
  const fed = columns.flatMap((column, index) => (column in mapped ? [{ index, column, property: mapped[column]! }] : []));
  const columnByProperty = new Map(fed.map(({ column, property }) => [property, column]));

  return {
    mapped,
    ignored: columns.filter((column) => !(column in mapped)),
    columnOf: (property) => columnByProperty.get(property) ?? null,
    map(cells) {
      if (cells.length !== columns.length) {
        return {
          ok: false,
          problems: [
            {
              column: null,
              code: 'VALIDATION_FAILED',
              message: `the row has ${cells.length} cells, the header ${columns.length}; a cell holding the delimiter must be quoted`,
            },
          ],
        };
      }
      const input: Record<string, unknown> = {};
      for (const { index, property } of fed) {
        const cell = cells[index];
        // An empty, unquoted cell is no value: the property is left out (a create omits it, an update keeps it).
        if (cell === null || cell === undefined) continue;
        input[property] = cellValue(shape[property]!, cell);
      }
      const parsed = schema.safeParse(input);
      if (parsed.success) return { ok: true, input: parsed.data as Record<string, unknown> };
      return {
        ok: false,
        problems: parsed.error.issues.map((issue) => {
          const property = String(issue.path[0] ?? '');
          const path = issue.path.map(String).join('.');
          return {
            column: columnByProperty.get(property) ?? null,
            code: 'VALIDATION_FAILED',
            message: path ? `${path}: ${issue.message}` : issue.message,
          };
        }),
      };
    },
  };
}
