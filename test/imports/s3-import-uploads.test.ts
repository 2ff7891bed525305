import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { IMPORT_LIMITS, ImportFileError, csvRecords } from '../../functions/imports/import-file.js';
import { IMPORT_SOURCE, importIdsOf } from '../../functions/imports/import-invocation.js';
import { s3ImportUploads } from '../../functions/imports/s3-import-uploads.js';

const BUCKET = 'customer-mgmt-imports-test';
const KEY = 'imports/019b6ec4-774c-70e0-9c2c-7ba19630289d.csv';
const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' } });
const s3 = mockClient(client);
const uploads = s3ImportUploads(client, BUCKET);

describe('the S3 import uploads (aws-sdk-client-mock)', () => {
  beforeEach(() => s3.reset());

  it('the upload URL is a PutObject presigned for an hour on the import key, with no content type to match', async () => {
    const now = new Date('2026-11-28T10:00:00.000Z');
    const target = await uploads.uploadUrl(KEY, now);
    const url = new URL(target.url);
    expect(target).toMatchObject({ method: 'PUT', expires_at: '2026-11-28T11:00:00.000Z', max_bytes: IMPORT_LIMITS.bytes });
    expect(url.hostname).toBe(`${BUCKET}.s3.eu-west-1.amazonaws.com`);
    expect(url.pathname).toBe(`/${KEY}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    // Presigning is local: nothing is sent.
    expect(s3.calls()).toHaveLength(0);
  });

  it('open streams the object of the key (one GetObject), and the file reads through it', async () => {
    s3.on(GetObjectCommand).resolves({ ContentLength: 20, Body: Readable.from([Buffer.from('name,email\nA,a@x.example\n')]) as never });
    const records: (string | null)[][] = [];
    for await (const record of csvRecords(await uploads.open(KEY), { delimiter: ',', quote: '"' })) records.push(record);
    expect(records).toEqual([
      ['name', 'email'],
      ['A', 'a@x.example'],
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: BUCKET, Key: KEY }]);
  });

  it('an object over the limit is refused before it is read (a presigned PUT cannot cap the size), its body released', async () => {
    const body = Readable.from([Buffer.from('never read')]);
    s3.on(GetObjectCommand).resolves({ ContentLength: IMPORT_LIMITS.bytes + 1, Body: body as never });
    await expect(uploads.open(KEY)).rejects.toThrow(ImportFileError);
    expect(body.destroyed).toBe(true);
  });

  it('an S3 failure (no such key, denied) is thrown as it is: the runner records it on the import', async () => {
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'NoSuchKey',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'The specified key does not exist.',
      }),
    );
    await expect(uploads.open(KEY)).rejects.toThrow('The specified key does not exist.');
  });
});

describe('the import function’s invocations', () => {
  it('an S3 ObjectCreated notification names its imports by key (URL-encoded); other keys are ignored', () => {
    const record = (key: string) => ({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: BUCKET }, object: { key, size: 10 } },
    });
    expect(
      importIdsOf({
        Records: [
          record('imports%2F019b6ec4-774c-70e0-9c2c-7ba19630289d.csv'),
          record('imports/019b6ec4-774c-70e0-9c2c-7ba19630289e.csv'),
          record('imports/../etc.csv'),
          record('exports/019b6ec4-774c-70e0-9c2c-7ba19630289d.csv'),
        ],
      }),
    ).toEqual(['019b6ec4-774c-70e0-9c2c-7ba19630289d', '019b6ec4-774c-70e0-9c2c-7ba19630289e']);
  });

  it('its own continuation names one import; anything else names none', () => {
    expect(importIdsOf({ source: IMPORT_SOURCE, import_id: 'abc' })).toEqual(['abc']);
    expect(importIdsOf({ source: 'elsewhere', import_id: 'abc' })).toEqual([]);
    expect(importIdsOf(null)).toEqual([]);
    expect(importIdsOf({ Records: 'no' })).toEqual([]);
  });
});
