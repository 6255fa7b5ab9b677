import type { Readable } from 'node:stream';

/** What `put` accepts: a stream is consumed as it arrives, never buffered whole. */
export type StorageBody = Readable | Buffer | string;

export interface PutOptions {
  /** Stored with the object on S3 (served on download); the disk driver keeps no metadata. */
  contentType?: string;
}

export interface PresignOptions {
  expiresSeconds: number;
  /** The file name the browser saves the download under (`Content-Disposition: attachment`). */
  downloadName?: string;
  /** Shown in the browser (`Content-Disposition: inline`), still named `downloadName`. */
  inline?: boolean;
  contentType?: string;
}

/**
 * Where list inputs and reports live (DESIGN §1, §4). Keys are relative POSIX paths such as
 * `lists/<id>/input.csv`; every method rejects a key that could escape the root with
 * `ListcleanError('storage_bad_key')`.
 */
export interface Storage {
  /** Streams body into key (creating parent "folders"); resolves when durable. */
  put(key: string, body: StorageBody, options?: PutOptions): Promise<{ bytes: number }>;
  /** A stream of the object; rejects ListcleanError('storage_not_found', …) if absent. */
  get(key: string): Promise<Readable>;
  /** Size in bytes, or null if absent. */
  stat(key: string): Promise<{ bytes: number } | null>;
  /** Keys starting with prefix (a plain string prefix, as on S3; recursive), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; an absent key is fine. */
  delete(key: string): Promise<void>;
  /** Short-lived GET URL on S3 (with the response type/disposition asked for); null on disk. */
  presignedGetUrl(key: string, options: PresignOptions): Promise<string | null>;
  /** "file:/abs/data" or "s3://bucket/prefix @ endpoint", for logs. */
  describe(): string;
  close(): Promise<void>;
}
