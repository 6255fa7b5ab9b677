import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { readCsvRows, sniffCsv } from '../../src/csv/index.ts';

const ROWS = 200_000;

/** A file generated as it is read, ~64 KiB at a time: the test holds none of it either. */
function generatedFile(rows: number): Readable {
  let next = 0;
  return new Readable({
    read() {
      if (next === 0) this.push('id,name,email,notes\n');
      const lines: string[] = [];
      while (next < rows && lines.length < 1000) {
        lines.push(`${next},"Person ${next}",user${next}@example.com,"note, with ""quotes"""`);
        next += 1;
      }
      this.push(lines.length > 0 ? `${lines.join('\n')}\n` : null);
    },
  });
}

/** A collected heap, so the numbers compare what is live rather than when GC last ran. */
function liveHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  return process.memoryUsage().heapUsed;
}

it('reads a 200k-row stream with flat memory', async () => {
  const layout = sniffCsv(Buffer.from('id,name,email,notes\n0,"Person 0",user0@example.com,x\n'));
  let count = 0;
  let early = 0;
  let last = '';
  for await (const row of readCsvRows(generatedFile(ROWS), layout)) {
    if (row.index !== count) throw new Error(`row ${count} came as ${row.index}`);
    count += 1;
    last = row.email ?? '';
    if (count === 20_000) early = liveHeap();
  }
  const late = liveHeap();
  expect(count).toBe(ROWS);
  expect(last).toBe(`user${ROWS - 1}@example.com`);
  // 180k more rows read; were they kept, that would be tens of MB.
  expect(late - early).toBeLessThan(5 * 1024 * 1024);
});
