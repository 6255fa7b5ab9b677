/** Bodies for storage tests: generated streams with a known digest, and ways to read one back. */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 256 * 1024;

export interface GeneratedBody {
  stream: Readable;
  /** SHA-256 of every byte the stream produced; final once it has ended. */
  sha256(): string;
}

/**
 * `bytes` of random data, produced chunk by chunk (never held whole); with `failAfter`, the
 * stream errors with "source broke" once it has produced at least that many bytes.
 */
export function generatedBody(bytes: number, options: { failAfter?: number } = {}): GeneratedBody {
  const hash = createHash('sha256');
  let digest = '';
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < bytes; ) {
      if (options.failAfter !== undefined && sent >= options.failAfter) {
        throw new Error('source broke');
      }
      const chunk = randomBytes(Math.min(CHUNK, bytes - sent));
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
    digest = hash.digest('hex');
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), sha256: () => digest };
}

export async function bufferOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function textOf(stream: Readable): Promise<string> {
  return (await bufferOf(stream)).toString('utf8');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Streams without buffering, so a 20 MB object is checked in constant memory. */
export async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}
