/**
 * bounce-risk.csv lists rows highest `risk_score` first without holding them in memory: while
 * rows stream in, each goes to the temp file of its score (0–100, in input order, so ties keep
 * input order); at the end the files are concatenated from 100 down to 0 under one header.
 * Memory is one stream buffer per score in use, whatever the number of rows.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { CsvFileWriter } from './csv-file-writer.ts';
import { type CsvFormat, csvRecord, DEFAULT_CSV_FORMAT } from './csv-format.ts';
import { drained } from './drained.ts';

const MAX_SCORE = 100;

/**
 * Scores are integers 0–100 by construction (verdict/risk.ts); anything else is clamped, and a
 * non-number sorts as the riskiest so a bad score is seen first rather than buried.
 */
export function scoreBucket(score: number): number {
  if (!Number.isFinite(score)) return MAX_SCORE;
  return Math.min(MAX_SCORE, Math.max(0, Math.round(score)));
}

export class BounceRiskBuckets {
  private readonly dir: string;
  private readonly format: Readonly<CsvFormat>;
  private readonly writers: (CsvFileWriter | undefined)[] = Array.from(
    { length: MAX_SCORE + 1 },
    () => undefined,
  );

  /** `format`: the final file's; the bucket files share it, less the BOM. */
  constructor(dir: string, format: Readonly<CsvFormat> = DEFAULT_CSV_FORMAT) {
    this.dir = dir;
    this.format = format;
  }

  /** Queues the row in its score's file; the promise settles when that file has room again. */
  add(score: number, cells: string[]): Promise<void> {
    const bucket = scoreBucket(score);
    let writer = this.writers[bucket];
    if (!writer) {
      writer = new CsvFileWriter(join(this.dir, `.bounce-risk-${bucket}.csv.part`), undefined, {
        ...this.format,
        bom: false,
      });
      this.writers[bucket] = writer;
    }
    return writer.write(cells);
  }

  /** Writes `header`, then every bucket from score 100 down to 0, into `path`; removes buckets. */
  async writeTo(path: string, header: readonly string[]): Promise<void> {
    await Promise.all(this.writers.map((writer) => writer?.end()));
    const out = createWriteStream(path);
    // Listened to from the start: an 'error' nobody listens to would crash the process.
    let failure: Error | undefined;
    out.on('error', (error) => {
      failure ??= error;
    });
    try {
      out.write((this.format.bom ? '\ufeff' : '') + csvRecord(header, this.format));
      for (let bucket = MAX_SCORE; bucket >= 0; bucket -= 1) {
        const writer = this.writers[bucket];
        if (!writer) continue;
        for await (const chunk of createReadStream(writer.path)) {
          if (failure) throw failure;
          if (!out.write(chunk)) await drained(out);
        }
      }
      out.end();
      await finished(out);
    } catch (error) {
      out.destroy();
      throw error;
    }
    await this.removeBuckets();
  }

  /** Abandons unfinished buckets and deletes their files. */
  async dispose(): Promise<void> {
    for (const writer of this.writers) writer?.destroy();
    await this.removeBuckets();
  }

  private async removeBuckets(): Promise<void> {
    const paths = this.writers.flatMap((writer) => (writer ? [writer.path] : []));
    await Promise.all(paths.map((path) => rm(path, { force: true })));
  }
}
