import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { s3ExportLinks } from '../../functions/exports/s3-export-links.js';
import { IMPORT_LIMITS } from '../../functions/imports/import-file.js';
import { s3ImportLinks } from '../../functions/imports/s3-import-links.js';
import { lambdaSigningIdentity, s3UrlPresigner } from '../../functions/s3/presigned-url.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+=',
};
const now = new Date('2026-11-28T10:00:00.000Z');
const presign = s3UrlPresigner({ region: async () => 'eu-west-1', credentials: async () => credentials });
const request = {
  bucket: 'customer-mgmt-exports-test',
  key: 'exports/019b6ec4-774c-70e0-9c2c-7ba19630289d.csv',
  expiresInSeconds: 3600,
  now,
};

/** The SDK's own presigner, without the default checksums (a presigned PUT must not carry the CRC32 of an empty body). */
const sdk = new S3Client({
  region: 'eu-west-1',
  credentials,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const sdkUrl = (command: GetObjectCommand | PutObjectCommand) => getSignedUrl(sdk, command, { expiresIn: 3600, signingDate: now });

describe('presigned S3 URLs without the S3 client', () => {
  it('a GET is the URL the SDK presigner makes, signature included', async () => {
    expect(await presign({ method: 'GET', ...request })).toBe(
      await sdkUrl(new GetObjectCommand({ Bucket: request.bucket, Key: request.key })),
    );
  });

  it('a PUT is the URL the SDK presigner makes, signature included', async () => {
    expect(await presign({ method: 'PUT', ...request })).toBe(
      await sdkUrl(new PutObjectCommand({ Bucket: request.bucket, Key: request.key })),
    );
  });

  it('a PUT carries no checksum of its own (the SDK default bakes in the CRC32 of an empty body, which S3 then refuses)', async () => {
    const url = new URL(await presign({ method: 'PUT', ...request }));
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    const withDefaults = new S3Client({ region: 'eu-west-1', credentials });
    const defaultUrl = new URL(await getSignedUrl(withDefaults, new PutObjectCommand({ Bucket: request.bucket, Key: request.key })));
    expect(defaultUrl.searchParams.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
  });

  it('a key with characters outside the unreserved set is escaped as the SDK does', async () => {
    const key = "imports/odd name (1)+'x'*.csv";
    expect(await presign({ method: 'GET', ...request, key })).toBe(
      await sdkUrl(new GetObjectCommand({ Bucket: request.bucket, Key: key })),
    );
  });

  it('inside Lambda the identity is the environment: region and the role’s session credentials', async () => {
    const identity = lambdaSigningIdentity({
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    const url = new URL(await s3UrlPresigner(identity)({ method: 'GET', ...request }));
    expect(url.hostname).toBe(`${request.bucket}.s3.eu-central-1.amazonaws.com`);
    expect(url.searchParams.get('X-Amz-Credential')).toBe('ASIAEXAMPLE/20261128/eu-central-1/s3/aws4_request');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('token');
    await expect(lambdaSigningIdentity({ AWS_REGION: 'eu-west-1' }).credentials()).rejects.toThrow(/AWS_ACCESS_KEY_ID/);
  });
});

describe('the buckets as the API functions see them (links only, no S3 client)', () => {
  const presignSeen: unknown[] = [];
  const recording = async (input: unknown) => {
    presignSeen.push(input);
    return 'https://signed.example/url';
  };

  it('an export download link is a GET presigned for an hour at the service clock; writing is the export function’s', async () => {
    const links = s3ExportLinks('exports-bucket', recording);
    expect(await links.downloadUrl('exports/a.csv', now)).toBe('https://signed.example/url');
    expect(presignSeen.at(-1)).toEqual({ method: 'GET', bucket: 'exports-bucket', key: 'exports/a.csv', expiresInSeconds: 3600, now });
    await expect(links.write('exports/a.csv', 'text/csv', (async function* () {})())).rejects.toThrow(/written by the export function/);
  });

  it('an import upload target is a PUT presigned for an hour, with its expiry and size limit; reading is the import function’s', async () => {
    const links = s3ImportLinks('imports-bucket', recording);
    expect(await links.uploadUrl('imports/b.csv', now)).toEqual({
      method: 'PUT',
      url: 'https://signed.example/url',
      expires_at: '2026-11-28T11:00:00.000Z',
      max_bytes: IMPORT_LIMITS.bytes,
    });
    expect(presignSeen.at(-1)).toEqual({ method: 'PUT', bucket: 'imports-bucket', key: 'imports/b.csv', expiresInSeconds: 3600, now });
    await expect(links.open('imports/b.csv')).rejects.toThrow(/read by the import function/);
  });
});
