import type { IncomingMessage } from 'node:http';
import type { ImportService } from '../../functions/imports/import-service.js';
import { importIdOfKey, type LocalImportUploads } from '../../functions/imports/import-uploads.js';
import { failure, success, type HttpResponse } from '../../functions/http/responses.js';

/** The local stand-in for the import bucket's presigned PUT: `upload.url` of a queued import points here. */
export const LOCAL_IMPORT_UPLOAD_PATH = '/local/imports/upload';

/**
 * Takes the file of an import: `PUT` the raw CSV bytes to the signed URL (no bearer token, like a
 * presigned URL). The body is streamed to DATA_DIR/imports (never held in memory) and refused
 * past 100 MiB; once stored, the import starts (as the bucket's upload notification starts the
 * import function on AWS). Answers 200 with the import's id, status and where to follow it.
 */
export function localImportUpload(uploads: LocalImportUploads, imports: () => ImportService, now: () => Date = () => new Date()) {
  return {
    [`PUT ${LOCAL_IMPORT_UPLOAD_PATH}`]: async (
      request: IncomingMessage,
      requestId: string,
      query: URLSearchParams,
    ): Promise<HttpResponse> => {
      const id = importIdOfKey(query.get('key') ?? '');
      const job = id ? await imports().store.get(id) : null;
      // The file is taken once, while the import waits for it: a second PUT must not swap a file being read.
      if (job && (job.status !== 'queued' || job.uploadedAt !== null)) {
        request.resume();
        return failure(
          'FORBIDDEN',
          `Import ${job.id} does not wait for a file (it is ${job.status}${job.uploadedAt ? ', file received' : ''}).`,
          requestId,
          {
            headers: { connection: 'close' },
          },
        );
      }
      const stored = await uploads.receive(query, request, now());
      if (!stored.ok) {
        request.resume();
        return stored.tooLarge
          ? failure('PAYLOAD_TOO_LARGE', `The upload was refused: ${stored.reason}.`, requestId, { headers: { connection: 'close' } })
          : failure('FORBIDDEN', `This upload URL is not valid: ${stored.reason}; GET /imports/{id} gives a fresh one.`, requestId, {
              headers: { connection: 'close' },
            });
      }
      const received = await imports().received(importIdOfKey(stored.key)!);
      if (!received) return failure('FORBIDDEN', 'The import no longer waits for a file.', requestId);
      return success(200, { id: received.id, status: received.status, location: `/api/v1/customer-mgmt/imports/${received.id}` });
    },
  };
}
