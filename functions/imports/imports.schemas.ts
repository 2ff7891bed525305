import * as z from 'zod';
import { cleanText } from '../http/clean-input.js';
import { pageLimit, single } from '../http/query-parameters.js';
import { defaultMatchKey, importableProperties, IMPORT_OBJECTS } from './import-objects.js';
import { IMPORT_MODES, IMPORT_OBJECT_NAMES, IMPORT_STATUSES, type ImportRequest } from './import-store.js';

const MAX_MAPPINGS = 500;
/** A delimiter or quote: one visible ASCII character (the delimiter may also be a tab, for TSV files). */
const oneCharacter = (name: string, fallback: string, pattern: RegExp) =>
  z
    .string({ error: 'must be one character' })
    // One check, so that a wrong value gets one message (the pattern matches exactly one character).
    .regex(
      pattern,
      name === 'delimiter'
        ? 'must be exactly one character: a tab or a visible ASCII character such as , ; |'
        : 'must be exactly one character: a visible ASCII character such as " or \'',
    )
    .default(fallback)
    .describe(`the ${name} character (default ${JSON.stringify(fallback)})`);

/**
 * The body of POST /imports. `match_on` is one of the object's unique keys (update and upsert
 * only; default its first key other than id); `column_mappings` maps CSV columns to properties
 * the object accepts in that mode (by default a column named like a property feeds it).
 */
export const StartImportBody = z
  .strictObject({
    object: z.enum(IMPORT_OBJECT_NAMES, { error: `must be one of ${IMPORT_OBJECT_NAMES.join(', ')}` }),
    mode: z.enum(IMPORT_MODES, { error: `must be one of ${IMPORT_MODES.join(', ')}` }),
    match_on: z
      .string({ error: 'must be the name of a unique key' })
      .optional()
      .describe('update and upsert: the unique key rows are matched on'),
    dry_run: z
      .boolean({ error: 'must be true or false' })
      .default(false)
      .describe('check and run every row, then roll it back: counts and errors, nothing written'),
    column_mappings: z
      .record(cleanText(200).min(1, 'a column name cannot be empty'), z.string({ error: 'must be the name of a property' }), {
        error: 'must map CSV column names to property names',
      })
      .refine((mappings) => Object.keys(mappings).length <= MAX_MAPPINGS, `map at most ${MAX_MAPPINGS} columns`)
      .optional()
      .describe('CSV column → property; columns not named here are ignored (default: each column named like a property)'),
    options: z
      .strictObject({ delimiter: oneCharacter('delimiter', ',', /^[\t!-~]$/), quote: oneCharacter('quote', '"', /^[!-~]$/) })
      .refine((options) => options.delimiter !== options.quote, { message: 'the delimiter and the quote must differ', path: ['quote'] })
      .default({ delimiter: ',', quote: '"' }),
  })
  .transform((body, context): ImportRequest => {
    const object = IMPORT_OBJECTS[body.object];
    let matchOn: string | null = null;
    if (body.mode === 'create') {
      if (body.match_on !== undefined)
        context.addIssue({ code: 'custom', path: ['match_on'], message: 'a create matches nothing: leave match_on out' });
    } else if (body.match_on !== undefined && !object.upsertKeys.includes(body.match_on)) {
      context.addIssue({ code: 'custom', path: ['match_on'], message: `must be one of ${object.upsertKeys.join(', ')}` });
    } else {
      matchOn = body.match_on ?? defaultMatchKey(object);
    }
    if (body.column_mappings) {
      const importable = importableProperties(object, body.mode, matchOn);
      const seen = new Map<string, string>();
      for (const [column, property] of Object.entries(body.column_mappings)) {
        if (!importable.includes(property)) {
          context.addIssue({
            code: 'custom',
            path: ['column_mappings', column],
            message: `${body.object} in mode ${body.mode} take ${importable.join(', ')}`,
          });
        } else if (seen.has(property)) {
          context.addIssue({
            code: 'custom',
            path: ['column_mappings', column],
            message: `column "${seen.get(property)}" already maps to ${property}`,
          });
        }
        seen.set(property, column);
      }
    }
    return {
      object: body.object,
      mode: body.mode,
      matchOn,
      dryRun: body.dry_run,
      columnMappings: body.column_mappings ?? null,
      options: body.options,
    };
  })
  .meta({ title: 'StartImport' });

export const ImportIdParams = z.object({ id: z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' }) });

export const ImportListQuery = z.strictObject({
  after: single(z.uuid({ error: 'must be the id of an import, e.g. next_cursor of the previous page' })).optional(),
  limit: pageLimit,
});

/** The cursor of the errors list: `<row>.<seq>` of the last error of the previous page. */
export const ImportErrorsQuery = z.strictObject({
  after: single(
    z
      .string()
      .regex(/^\d{1,9}\.\d{1,4}$/, 'must be next_cursor of the previous page, such as 17.0')
      .meta({ examples: ['17.0'] })
      .transform((value) => {
        const [row, seq] = value.split('.').map(Number);
        return { row: row!, seq: seq! };
      }),
  ).optional(),
  limit: pageLimit,
});

const timestamp = z.iso.datetime().meta({ examples: ['2026-11-28T10:00:00.000Z'] });
const count = z.int().min(0);

export const ImportRepresentation = z
  .strictObject({
    id: z.uuid(),
    object: z.enum(IMPORT_OBJECT_NAMES),
    mode: z.enum(IMPORT_MODES),
    match_on: z.string().nullable(),
    dry_run: z.boolean(),
    column_mappings: z.record(z.string(), z.string()).nullable(),
    options: z.strictObject({ delimiter: z.string(), quote: z.string() }),
    status: z.enum(IMPORT_STATUSES),
    upload: z
      .strictObject({ method: z.literal('PUT'), url: z.string(), expires_at: timestamp, max_bytes: count })
      .nullable()
      .describe('while the import waits for its file: PUT the raw CSV bytes to url (no bearer token)'),
    columns: z.array(z.string()).nullable().describe("the file's header row, once checked"),
    counts: z.strictObject({
      rows: count.nullable().describe('data rows in the file (null until the file is checked)'),
      processed: count,
      created: count,
      updated: count,
      unchanged: count,
      failed: count.describe('rows not written, duplicates in the file included'),
      duplicates_in_file: count,
    }),
    error_report_url: z
      .string()
      .nullable()
      .describe('once done with failed rows: the error report CSV, a URL that works without a token for an hour'),
    error: z.string().nullable().describe('why a failed import failed'),
    requested_by: z.string(),
    requested_at: timestamp,
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
  })
  .meta({ title: 'Import' });

export const ImportErrorRepresentation = z
  .strictObject({
    row: z.int().min(1).describe('the data row, 1 = the first row after the header'),
    column: z.string().nullable(),
    code: z.string(),
    message: z.string(),
  })
  .meta({ title: 'ImportRowError' });
