import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where the signer gets its region and credentials: the function's environment, or an S3 client's configuration. */
export interface SigningIdentity {
  region(): Promise<string>;
  credentials(): Promise<AwsCredentials>;
}

/** A presigned S3 URL: anyone holding it may do `method` on the object `key` of `bucket` until `now + expiresInSeconds`. */
export interface PresignRequest {
  readonly method: 'GET' | 'PUT';
  readonly bucket: string;
  readonly key: string;
  readonly expiresInSeconds: number;
  /** The signing time (the URL's validity starts here). */
  readonly now: Date;
}

export type S3UrlPresigner = (request: PresignRequest) => Promise<string>;

/** What the signer hashes: strings, or bytes in any of their forms. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** The SigV4 hash the signer wants (a class with update/digest; HMAC when given a secret), over node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** RFC 3986 escaping of one path segment, as S3 expects it (encodeURIComponent leaves !'()* alone). */
const escapeSegment = (segment: string) =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Presigned S3 GET and PUT URLs with the SDK's own SigV4 signer, without the S3 client: the API
 * functions hand out download and upload links but never call S3, and the S3 client with its
 * middleware stack was ~160 KB of each API bundle (issue 17). Same URL as
 * `@aws-sdk/s3-request-presigner` (virtual-hosted bucket, UNSIGNED-PAYLOAD, only `host` signed,
 * `x-id` naming the operation) minus the CRC32 the SDK (≥ 3.729) bakes into a presigned PutObject by
 * default: that is the checksum of an empty body, and S3 refuses an upload whose body differs.
 */
export function s3UrlPresigner(identity: SigningIdentity): S3UrlPresigner {
  return async ({ method, bucket, key, expiresInSeconds, now }) => {
    const [region, credentials] = await Promise.all([identity.region(), identity.credentials()]);
    const hostname = `${bucket}.s3.${region}.amazonaws.com`;
    const signer = new SignatureV4({ service: 's3', region, credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const signed = await signer.presign(
      {
        method,
        protocol: 'https:',
        hostname,
        path: `/${key.split('/').map(escapeSegment).join('/')}`,
        // Moved into the query by presign, and read by it as the payload hash (the body is the holder's).
        headers: { host: hostname, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
        query: { 'x-id': method === 'GET' ? 'GetObject' : 'PutObject' },
      },
      { expiresIn: expiresInSeconds, signingDate: now },
    );
    const query = Object.entries(signed.query ?? {})
      .map(([name, value]) => [name, String(value)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${escapeSegment(name)}=${escapeSegment(value)}`)
      .join('&');
    return `https://${hostname}${signed.path}?${query}`;
  };
}

/**
 * The identity Lambda gives a function: AWS_REGION and the execution role's session credentials in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (what the SDK's own credential
 * chain reads first inside Lambda).
 */
export function lambdaSigningIdentity(env: Record<string, string | undefined> = process.env): SigningIdentity {
  return {
    async region() {
      if (!env.AWS_REGION) throw new Error('AWS_REGION is not set: presigned S3 URLs need the region');
      return env.AWS_REGION;
    },
    async credentials() {
      if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY)
        throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: presigned S3 URLs need credentials');
      return {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
      };
    },
  };
}
