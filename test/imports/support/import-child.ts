import { createServices } from '../../../functions/services.js';
import { localImportUploads } from '../../../functions/imports/import-uploads.js';
import { openShared } from './import-database.js';

/**
 * A separate process working one import, for the crash test: it prints `chunk <rows recorded>`
 * after each committed chunk and `outcome <…>` at the end. The test kills it with SIGKILL.
 */
const target = process.env.IMPORT_DB_URL ? { url: process.env.IMPORT_DB_URL } : { pgliteDir: process.env.IMPORT_PGLITE_DIR! };
const database = await openShared(target);
const services = createServices(database.db, {
  importUploads: localImportUploads({ dir: process.env.IMPORT_FILES_DIR!, uploadUrl: 'http://127.0.0.1/local/imports/upload' }),
  importChunkSize: Number(process.env.IMPORT_CHUNK_SIZE),
  onImportChunk: (_id, processed) => void process.stdout.write(`chunk ${processed}\n`),
});
const outcome = await services.imports.run(process.env.IMPORT_ID!);
process.stdout.write(`outcome ${outcome}\n`);
await database.close();
