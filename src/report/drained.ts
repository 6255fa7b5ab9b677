/**
 * Waits for a writable stream to drain. Unlike `events.once(stream, 'drain')` it also settles
 * when the stream is destroyed without an error (a plain `close`), so a writer whose file went
 * away never leaves `add()` hanging, and it removes its listeners either way.
 */
import type { Writable } from 'node:stream';
import { ListcleanError } from '../errors.ts';

export function drained(stream: Writable): Promise<void> {
  // Already gone: no 'close' will come to wake us.
  if (stream.destroyed) return Promise.reject(stream.errored ?? closedEarly());
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onError = (error: Error): void => settle(error);
    const onClose = (): void => settle(stream.errored ?? closedEarly());
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

function closedEarly(): ListcleanError {
  return new ListcleanError(
    'report_stream_closed',
    'a report file closed while rows were still being written; check tmpDir and free disk space',
  );
}
