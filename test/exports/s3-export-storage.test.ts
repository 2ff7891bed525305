import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { s3ExportStorage } from '../../functions/exports/s3-export-storage.js';
import { BASE, createApiHarness, type ApiHarness } from '../support/api-harness.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const BUCKET = 'customer-mgmt-exports-test';
const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' } });
const s3 = mockClient(client);
const storage = s3ExportStorage(client, BUCKET);

async function* chunks(...parts: string[]) {
  for (const part of parts) yield part;
}
const text = (body: unknown) => Buffer.from(body as Uint8Array).toString('utf8');

describe('the S3 export storage (aws-sdk-client-mock)', () => {
  beforeEach(() => s3.reset());

  it('a file under one part is one PutObject of the whole stream, with its key and content type', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    await storage.write('exports/019b6ec4-774c-70e0-9c2c-7ba19630289d.csv', 'text/csv; charset=utf-8', chunks('id,name\r\n', 'a,b\r\n'));
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({
      Bucket: BUCKET,
      Key: 'exports/019b6ec4-774c-70e0-9c2c-7ba19630289d.csv',
      ContentType: 'text/csv; charset=utf-8',
    });
    expect(text(input.Body)).toBe('id,name\r\na,b\r\n');
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('a file over one part (5 MiB) is a multipart upload: create, the parts in order, complete', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(UploadPartCommand).callsFake((input: { PartNumber: number }) => ({ ETag: `"part-${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole"' });
    const page = `${'x'.repeat(1023)}\n`.repeat(1024); // 1 MiB per chunk, 6 chunks
    await storage.write('exports/k.jsonl', 'application/x-ndjson; charset=utf-8', chunks(...Array.from({ length: 6 }, () => page)));
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toMatchObject({ Bucket: BUCKET, Key: 'exports/k.jsonl' });
    const parts = s3.commandCalls(UploadPartCommand).map((call) => call.args[0].input);
    expect(parts.map((part) => part.PartNumber)).toEqual([1, 2]);
    expect(parts.map((part) => (part.Body as Uint8Array).byteLength)).toEqual([5 * 1024 * 1024, 1024 * 1024]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input).toMatchObject({
      UploadId: 'upload-1',
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: '"part-1"' },
          { PartNumber: 2, ETag: '"part-2"' },
        ],
      },
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('a failed part aborts the multipart upload (no partial object is left)', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
    s3.on(UploadPartCommand).rejects(new Error('SlowDown: please reduce your request rate'));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const page = 'y'.repeat(1024 * 1024);
    await expect(storage.write('exports/k.csv', 'text/csv', chunks(...Array.from({ length: 6 }, () => page)))).rejects.toThrow(/SlowDown/);
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: 'exports/k.csv',
      UploadId: 'upload-2',
    });
  });

  it('the download URL is a presigned GetObject of the key, valid for an hour', async () => {
    const url = new URL(await storage.downloadUrl('exports/019b6ec4-774c-70e0-9c2c-7ba19630289d.csv', new Date()));
    expect(url.hostname).toBe(`${BUCKET}.s3.eu-west-1.amazonaws.com`);
    expect(url.pathname).toBe('/exports/019b6ec4-774c-70e0-9c2c-7ba19630289d.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('an export whose upload fails', () => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    api = createApiHarness(database.db, undefined, undefined, { exportStorage: storage });
  });
  afterAll(() => database.close());

  it('is failed with the storage error (never a 500), and has no download URL', async () => {
    s3.reset();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await api.call({ method: 'POST', path: `${BASE}/customers`, body: { name: 'Ada', email: 'ada@s3.example' } });
    const started = await api.call({ method: 'POST', path: `${BASE}/exports`, body: { object: 'customers', format: 'csv' } });
    expect(started.status).toBe(202);
    await api.services.exports.idle();
    const done = (await api.call({ method: 'GET', path: `${BASE}/exports/${started.body.data.id}` })).body.data;
    expect(done).toMatchObject({ state: 'failed', download_url: null, error: 'storing the file failed: Access Denied' });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: `exports/${started.body.data.id}.csv`,
    });
  });
});
