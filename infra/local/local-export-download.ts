import { readFile } from 'node:fs/promises';
import type { LocalExportStorage } from '../../functions/exports/export-storage.js';
import { failure, type HttpResponse } from '../../functions/http/responses.js';

/** The local stand-in for the S3 bucket's presigned GET: `download_url` of a finished export points here. */
export const LOCAL_EXPORT_DOWNLOAD_PATH = '/local/exports/download';

const CONTENT_TYPES: Record<string, string> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

/**
 * Serves an export file from DATA_DIR/exports when the URL's signature and expiry hold (no bearer
 * token, like a presigned URL). The file is read whole: a laptop's convenience, not the AWS path.
 */
export function localExportDownload(storage: LocalExportStorage, now: () => Date = () => new Date()) {
  return {
    [`GET ${LOCAL_EXPORT_DOWNLOAD_PATH}`]: async (
      _body: string,
      requestId: string,
      _headers: Readonly<Record<string, string>>,
      query: URLSearchParams,
    ): Promise<HttpResponse> => {
      const resolved = storage.resolve(query, now());
      if (!resolved.ok) return failure('FORBIDDEN', `This download URL is not valid: ${resolved.reason}.`, requestId);
      let content: string;
      try {
        content = await readFile(resolved.path, 'utf8');
      } catch {
        return failure('ROUTE_NOT_FOUND', 'The export file is no longer under DATA_DIR/exports.', requestId);
      }
      const name = resolved.key.slice('exports/'.length);
      return {
        statusCode: 200,
        headers: {
          'content-type': CONTENT_TYPES[name.split('.').pop()!] ?? 'application/octet-stream',
          'content-disposition': `attachment; filename="${name}"`,
        },
        body: content,
      };
    },
  };
}
