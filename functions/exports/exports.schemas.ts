import * as z from 'zod';
import { builtOnFirstUse } from '../http/built-on-first-use.js';
import { pageLimit, single } from '../http/query-parameters.js';
import { searchRequestSchema } from '../search/search-request.js';
import { EXPORT_OBJECTS } from './export-objects.js';
import {
  EXPORT_FORMATS,
  EXPORT_OBJECT_NAMES,
  EXPORT_STATES,
  type ExportFormat,
  type ExportObjectName,
  type ExportSearch,
} from './export-store.js';

// Each object's search grammar is built when an export of that object is first asked for, not at import.
const SEARCH_SCHEMAS = Object.fromEntries(
  EXPORT_OBJECT_NAMES.map((name) => [name, builtOnFirstUse(() => searchRequestSchema(EXPORT_OBJECTS[name]))]),
) as Record<ExportObjectName, () => ReturnType<typeof searchRequestSchema>>;

export interface StartExport {
  readonly object: ExportObjectName;
  readonly format: ExportFormat;
  readonly search: ExportSearch;
}

/**
 * The body of POST /exports. `filter_groups`, `query` and `properties` are the object's search
 * grammar: they are checked by that object's own search schema, so an export answers exactly
 * the 400s (and `details.fields[].field` paths) that POST /{object}/search answers.
 */
export const StartExportBody = z
  .strictObject({
    object: z.enum(EXPORT_OBJECT_NAMES, { error: `must be one of ${EXPORT_OBJECT_NAMES.join(', ')}` }),
    format: z.enum(EXPORT_FORMATS, { error: `must be one of ${EXPORT_FORMATS.join(', ')}` }),
    filter_groups: z
      .array(z.unknown(), { error: 'must be an array of filter groups' })
      .optional()
      .meta({ description: 'as in POST /{object}/search: groups are OR-ed, the filters in a group AND-ed' }),
    query: z.unknown().optional().meta({ description: 'as in POST /{object}/search: free text, every word must appear' }),
    properties: z.array(z.string(), { error: 'must be an array of field names' }).optional().meta({
      description:
        "the columns, exactly these in this order (fields of the object's representation, each once; id only if named); default: every field, id first",
    }),
  })
  .transform((body, context): StartExport => {
    const search = { filter_groups: body.filter_groups, query: body.query, properties: body.properties };
    const parsed = SEARCH_SCHEMAS[body.object]().safeParse(search);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    // A search answers each field once whatever the list; a file would have the column twice, which no import reads.
    body.properties?.forEach((name, index) => {
      if (body.properties!.indexOf(name) !== index)
        context.addIssue({ code: 'custom', path: ['properties', index], message: `names ${name} a second time; each column once` });
    });
    const given = Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined)) as ExportSearch;
    return { object: body.object, format: body.format, search: given };
  })
  .meta({ title: 'StartExport' });

export const ExportIdParams = z.object({ id: z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' }) });

export const ExportListQuery = z.strictObject({
  after: single(z.uuid({ error: 'must be the id of an export, e.g. next_cursor of the previous page' })).optional(),
  limit: pageLimit,
});

const timestamp = z.iso.datetime().meta({ examples: ['2026-11-28T10:00:00.000Z'] });

export const ExportRepresentation = z
  .strictObject({
    id: z.uuid(),
    object: z.enum(EXPORT_OBJECT_NAMES),
    format: z.enum(EXPORT_FORMATS),
    filter_groups: z.array(z.unknown()).nullable(),
    query: z.string().nullable(),
    properties: z.array(z.string()).nullable(),
    state: z.enum(EXPORT_STATES),
    expected_rows: z.int().min(0).nullable().describe('the matches counted when the walk started (null while queued)'),
    rows_written: z.int().min(0),
    download_url: z.string().nullable().describe('once succeeded: a URL that works without a token for an hour'),
    error: z.string().nullable(),
    requested_by: z.string(),
    requested_at: timestamp,
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
  })
  .meta({ title: 'Export' });
