import { Readable } from 'node:stream';
import type { StorageBody } from './storage.ts';

export interface MeasuredBody {
  /** The body as a byte stream; read it once. */
  stream: Readable;
  /** Bytes that went through `stream`: the object's size once it has ended. */
  bytes(): number;
  /**
   * The error the caller's body failed with (a client hanging up mid-upload), if it did. It is
   * the cause of whatever the storage then reports (an aborted upload, a failed clean-up), so it
   * is what a put must reject with, unchanged rather than as "storage unavailable".
   */
  sourceFailure(): { error: unknown } | undefined;
  /** Releases the caller's stream when the storage gave up before reading it all. */
  abandon(): void;
}

/** Wraps a put body so the drivers can count its bytes and tell whose error ended it. */
export function measureBody(body: StorageBody): MeasuredBody {
  const source = typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([body]) : body;
  let bytes = 0;
  let failure: { error: unknown } | undefined;
  // Whether we still read the source: once the storage side has stopped us, the source errors
  // only because we release it (Node 22+ destroys it with an error) — not the body's fault.
  let reading = true;
  // The source's own 'error' event, not a catch around the loop: when the storage side fails,
  // Readable.from throws that error into the generator, and it must not be blamed on the body.
  source.on('error', (error) => {
    if (reading) failure ??= { error };
  });

  async function* count(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      bytes += buffer.length;
      let stopped = true;
      try {
        yield buffer;
        stopped = false;
      } finally {
        // The consumer threw into or returned from the generator: it stops reading here,
        // before the loop releases the source.
        if (stopped) reading = false;
      }
    }
  }

  const stream = Readable.from(count(), { objectMode: false });
  return {
    stream,
    bytes: () => bytes,
    sourceFailure: () => failure,
    abandon: () => {
      stream.destroy();
      source.destroy();
    },
  };
}
