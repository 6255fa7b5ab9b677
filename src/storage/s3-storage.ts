/**
 * `STORAGE_URL=s3://bucket/prefix`: objects in an S3 (or S3-compatible: MinIO, s3rver) bucket,
 * under an optional key prefix. Uploads stream through lib-storage's multipart `Upload`, so
 * memory stays at partSize × queueSize whatever the file size.
 */

import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { attachmentDisposition } from './content-disposition.ts';
import { assertKey, assertPrefix, isValidKey } from './keys.ts';
import { measureBody } from './measured-body.ts';
import {
  isMissingObject,
  missingBucket,
  type S3Context,
  s3Failure,
  s3NotFound,
} from './s3-errors.ts';
import type { PresignOptions, PutOptions, Storage, StorageBody } from './storage.ts';

const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;
/** A dead or mistyped endpoint fails in seconds instead of the OS's minutes-long connect. */
const CONNECT_TIMEOUT_MS = 5_000;

export interface S3Location {
  bucket: string;
  /** '' or a key prefix ending in '/'. */
  prefix: string;
}

export interface S3Connection {
  /** S3_ENDPOINT; '' for AWS itself. */
  endpoint: string;
  /**
   * S3_PUBLIC_ENDPOINT: the address downloaders use when it differs from ours (in compose the
   * workers reach `minio:9000`, browsers `localhost:9000`). A presigned URL's signature covers
   * its host, so it must be signed for the public one.
   */
  publicEndpoint?: string;
  region: string;
}

function s3Client(endpoint: string, region: string): S3Client {
  return new S3Client({
    region,
    endpoint: endpoint || undefined,
    // MinIO and s3rver serve buckets by path, not by virtual host name.
    forcePathStyle: endpoint !== '',
    // Checksum only where S3 demands it: the SDK's default sends streamed bodies with
    // aws-chunked framing, which s3rver and some MinIO versions store verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS },
  });
}

export class S3Storage implements Storage {
  readonly #client: S3Client;
  readonly #presigner: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #context: S3Context;
  /** Set once the bucket answered: a later bare 404 on HEAD then means "no such object". */
  #bucketSeen = false;

  constructor(location: S3Location, connection: S3Connection) {
    this.#bucket = location.bucket;
    this.#prefix = location.prefix;
    const endpoint = connection.endpoint || `AWS ${connection.region}`;
    const url = `s3://${location.bucket}${location.prefix === '' ? '' : `/${location.prefix}`}`;
    this.#context = {
      location: `${url.replace(/\/$/, '')} @ ${endpoint}`,
      bucket: location.bucket,
      endpoint,
    };
    this.#client = s3Client(connection.endpoint, connection.region);
    this.#presigner = connection.publicEndpoint
      ? s3Client(connection.publicEndpoint, connection.region)
      : this.#client;
  }

  async put(key: string, body: StorageBody, options?: PutOptions): Promise<{ bytes: number }> {
    const objectKey = this.#objectKey(key);
    const measured = measureBody(body);
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.#bucket,
        Key: objectKey,
        Body: measured.stream,
        ContentType: options?.contentType,
      },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      // A failed upload leaves no orphaned parts to pay for.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      measured.abandon();
      throw measured.sourceFailure()?.error ?? s3Failure(this.#context, error);
    }
    this.#bucketSeen = true;
    return { bytes: measured.bytes() };
  }

  async get(key: string): Promise<Readable> {
    const command = new GetObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) });
    let body: unknown;
    try {
      body = (await this.#client.send(command)).Body;
    } catch (error) {
      if (isMissingObject(error)) throw s3NotFound(this.#context, key);
      throw s3Failure(this.#context, error);
    }
    this.#bucketSeen = true;
    // In Node the SDK hands back the HTTP response itself, an IncomingMessage.
    if (!(body instanceof Readable)) throw new Error('S3 GetObject returned no Node stream');
    return body;
  }

  async stat(key: string): Promise<{ bytes: number } | null> {
    const command = new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) });
    try {
      const { ContentLength } = await this.#client.send(command);
      this.#bucketSeen = true;
      return { bytes: ContentLength ?? 0 };
    } catch (error) {
      if (!isMissingObject(error)) throw s3Failure(this.#context, error);
    }
    // HEAD answers a missing bucket with the same bodiless 404 as a missing object.
    await this.#checkBucket();
    return null;
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#prefix + prefix,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) keys.push(object.Key.slice(this.#prefix.length));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (error) {
      throw s3Failure(this.#context, error);
    }
    this.#bucketSeen = true;
    // Skip what other tools left (e.g. "folder/" markers) so every listed key can be read back.
    return keys.filter(isValidKey).sort();
  }

  async delete(key: string): Promise<void> {
    const command = new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) });
    try {
      await this.#client.send(command);
    } catch (error) {
      if (!isMissingObject(error)) throw s3Failure(this.#context, error);
    }
  }

  async presignedGetUrl(key: string, options: PresignOptions): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: this.#objectKey(key),
      ResponseContentType: options.contentType,
      ResponseContentDisposition: options.downloadName
        ? attachmentDisposition(options.downloadName, options.inline ? 'inline' : 'attachment')
        : undefined,
    });
    return getSignedUrl(this.#presigner, command, { expiresIn: options.expiresSeconds });
  }

  describe(): string {
    return this.#context.location;
  }

  async close(): Promise<void> {
    this.#client.destroy();
    if (this.#presigner !== this.#client) this.#presigner.destroy();
  }

  #objectKey(key: string): string {
    return this.#prefix + assertKey(key);
  }

  async #checkBucket(): Promise<void> {
    if (this.#bucketSeen) return;
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (error) {
      if (isMissingObject(error)) throw missingBucket(this.#context, error);
      throw s3Failure(this.#context, error);
    }
    this.#bucketSeen = true;
  }
}
