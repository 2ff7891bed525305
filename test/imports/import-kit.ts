import { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { LocalImportUploads } from '../../functions/imports/import-uploads.js';
import { BASE, type ApiHarness } from '../support/api-harness.js';

/** Within the hour the upload URLs are signed for (the harness's stepping clock starts at 09:00). */
export const SOON = new Date('2026-03-01T09:30:00.000Z');

/**
 * POST /imports, then the file PUT to its upload URL as the local server's upload route takes
 * it (the signed URL checked, the bytes stored), then the import worked on and read back.
 */
export async function importFile(
  api: ApiHarness,
  uploads: LocalImportUploads,
  body: Record<string, unknown>,
  file: string | Buffer,
  claims?: Record<string, string>,
) {
  const started = await api.call({ method: 'POST', path: `${BASE}/imports`, body, ...(claims && { claims }) });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const { id, upload } = started.body.data;
  const stored = await uploads.receive(new URL(upload.url).searchParams, Readable.from([Buffer.from(file)]), SOON);
  expect(stored.ok).toBe(true);
  await api.services.imports.received(id);
  await api.services.imports.idle();
  const read = await api.call({ method: 'GET', path: `${BASE}/imports/${id}` });
  expect(read.status).toBe(200);
  return read.body.data;
}

/** Every row error of an import, page by page. */
export async function allErrors(api: ApiHarness, id: string, limit = 100) {
  const errors: { row: number; column: string | null; code: string; message: string }[] = [];
  let after: string | null = null;
  do {
    const page = await api.call({ method: 'GET', path: `${BASE}/imports/${id}/errors?limit=${limit}${after ? `&after=${after}` : ''}` });
    expect(page.status).toBe(200);
    errors.push(...page.body.data);
    after = page.body.pagination.next_cursor;
  } while (after);
  return errors;
}
