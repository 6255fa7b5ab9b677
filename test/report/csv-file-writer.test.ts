import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvFileWriter } from '../../src/report/csv-file-writer.ts';
import { drained } from '../../src/report/drained.ts';
import { tempDir } from './fixtures.ts';

/** A stream that accepts one chunk and never finishes writing it: always full. */
function stuckStream(): Writable {
  return new Writable({ highWaterMark: 1, write: () => {} });
}

describe('CsvFileWriter', () => {
  it('writes the header, then records, in RFC 4180 form with CRLF', async () => {
    const dir = await tempDir();
    try {
      const writer = new CsvFileWriter(join(dir, 'x.csv'), ['a', 'b']);
      await writer.write(['1,2', 'say "hi"']);
      await writer.write(['line\nbreak', '']);
      await writer.end();
      expect(await readFile(join(dir, 'x.csv'), 'utf8')).toBe(
        'a,b\r\n"1,2","say ""hi"""\r\n"line\nbreak",\r\n',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects writes once its file fails, instead of hanging', async () => {
    const writer = new CsvFileWriter(join('/nonexistent-listclean-dir', 'x.csv'));
    const writeForever = async (): Promise<void> => {
      for (;;) await writer.write(['x'.repeat(1024)]);
    };
    await expect(writeForever()).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(writer.end()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('drained', () => {
  it('rejects when the stream closes while full, or is already gone', async () => {
    const stream = stuckStream();
    expect(stream.write('x')).toBe(false);
    const wait = drained(stream);
    stream.destroy();
    await expect(wait).rejects.toMatchObject({ code: 'report_stream_closed' });
    await expect(drained(stream)).rejects.toMatchObject({ code: 'report_stream_closed' });
    expect(stream.listenerCount('drain')).toBe(0);
  });
});
