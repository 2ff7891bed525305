import { parse, CsvError } from 'csv-parse';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImportFileOptions } from './import-store.js';

/** The limits of an import file: 100 MiB, 1,000,000 data rows, 64 KiB per record. */
export const IMPORT_LIMITS = { bytes: 100 * 1024 * 1024, rows: 1_000_000, recordBytes: 64 * 1024 } as const;

/** Why a file cannot be imported at all (nothing of it is written): its message is the import's error. */
export class ImportFileError extends Error {}

/** One record of the file: a cell is `null` when it was empty and unquoted, `""` when quoted empty. */
export type CsvCells = (string | null)[];

/**
 * The bytes as UTF-8 text, strictly: an invalid sequence fails the file (saying where) instead of
 * becoming U+FFFD. A leading byte order mark is dropped (TextDecoder's default), and more than
 * `IMPORT_LIMITS.bytes` fails it.
 */
async function* utf8Text(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let seen = 0;
  for await (const chunk of bytes) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    seen += buffer.length;
    if (seen > IMPORT_LIMITS.bytes) {
      throw new ImportFileError(`the file is over the limit of ${IMPORT_LIMITS.bytes / 1024 / 1024} MiB; split it and import the parts`);
    }
    try {
      const text = decoder.decode(buffer, { stream: true });
      if (text) yield text;
    } catch {
      throw new ImportFileError(
        `the file is not UTF-8: an invalid byte sequence within the ${seen - buffer.length + 1}–${seen}th bytes; save it as UTF-8`,
      );
    }
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new ImportFileError('the file is not UTF-8: it ends inside a character; save it as UTF-8');
  }
}

/**
 * Streams the records of a CSV file (the header first) through csv-parse: RFC 4180 quoting with
 * the given delimiter and quote, any line ending, blank lines skipped. Only one chunk of the file
 * and one record are in memory at a time. A record whose cells cannot be parsed (an unclosed
 * quote, a record over 64 KiB) fails the file with csv-parse's reason and line.
 */
export async function* csvRecords(bytes: AsyncIterable<Uint8Array>, options: ImportFileOptions): AsyncGenerator<CsvCells> {
  const parser = parse({
    delimiter: options.delimiter,
    quote: options.quote,
    // RFC 4180: a quote inside a quoted cell is doubled (csv-parse would otherwise escape with " whatever the quote).
    escape: options.quote,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: IMPORT_LIMITS.recordBytes,
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  });
  const feeding = pipeline(Readable.from(utf8Text(bytes)), parser);
  // The outcome is read below; a consumer that stops early ends the pipeline on purpose.
  feeding.catch(() => undefined);
  try {
    for await (const record of parser as AsyncIterable<CsvCells>) yield record;
    await feeding;
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    if (error instanceof CsvError) throw new ImportFileError(`the file is not valid CSV: ${error.message}`);
    throw error;
  } finally {
    parser.destroy();
  }
}
