import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { measureBody } from '../../src/storage/measured-body.ts';
import { generatedBody } from './bodies.ts';

function failingSink(error: Error): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done(error) });
}

describe('measureBody', () => {
  it('counts UTF-8 bytes of strings, Buffers and stream chunks alike', async () => {
    for (const [body, bytes] of [
      ['Müller', 7],
      [Buffer.alloc(5), 5],
      [Readable.from(['ä', Buffer.from('bc')]), 4],
    ] as const) {
      const measured = measureBody(body);
      await pipeline(measured.stream, new PassThrough().resume());
      expect(measured.bytes()).toBe(bytes);
    }
  });

  it("blames the caller's body when it is the one that failed", async () => {
    const measured = measureBody(generatedBody(4096 * 1024, { failAfter: 1024 }).stream);
    const error = await pipeline(measured.stream, new PassThrough().resume()).catch((e) => e);
    expect(measured.sourceFailure()).toEqual({ error });
    expect((error as Error).message).toBe('source broke');
  });

  it('does not blame the body for a failure of the storage side', async () => {
    const source = generatedBody(4096 * 1024).stream;
    const measured = measureBody(source);
    const diskFull = Object.assign(new Error('no space left'), { code: 'ENOSPC' });
    await expect(pipeline(measured.stream, failingSink(diskFull))).rejects.toBe(diskFull);
    expect(measured.sourceFailure()).toBeUndefined();
    // The caller's stream is released, not left paused forever.
    await expect.poll(() => source.destroyed).toBe(true);
  });
});
