/**
 * The `clean` progress display on stderr: a bar redrawn in place on a terminal, a plain line
 * every few seconds (only when something changed) when stderr is a file or pipe.
 */
import cliProgress from 'cli-progress';
import type { ListProgress } from '../pipeline/progress.ts';

export class ProgressDisplay {
  private readonly bar: cliProgress.SingleBar | null;
  private lastPlain = '';
  private lastPlainAt = 0;
  private readonly samples: Array<{ at: number; verified: number }> = [];

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.bar = stream.isTTY
      ? new cliProgress.SingleBar(
          {
            stream,
            format:
              '{bar} {percentage}% | {status} | {rows} rows · {unique} unique · {value} verified · {greylisted} greylisted | ETA {eta_text}',
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.bar?.start(1, 0, { status: 'queued', rows: 0, unique: 0, greylisted: 0, eta_text: '…' });
  }

  /** Remaining time from the verification rate over the last minute. */
  private eta(progress: ListProgress, ingested: boolean): string {
    const now = Date.now();
    this.samples.push({ at: now, verified: progress.verified });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? now) < now - 60_000)
      this.samples.shift();
    const first = this.samples[0];
    if (!ingested || !first || first.at === now || progress.verified === first.verified) return '…';
    const rate = (progress.verified - first.verified) / (now - first.at);
    const seconds = Math.max(0, Math.round(progress.pending / rate / 1000));
    return seconds < 90 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  }

  /** `final`: the last state, always printed in plain mode. */
  update(status: string, progress: ListProgress, ingested: boolean, final = false): void {
    const eta = this.eta(progress, ingested);
    if (this.bar) {
      this.bar.setTotal(Math.max(1, progress.unique));
      this.bar.update(progress.verified, {
        status,
        rows: progress.rows,
        unique: progress.unique,
        greylisted: progress.greylisted,
        eta_text: eta,
      });
      return;
    }
    const line =
      `${status}: ${progress.rows} rows read, ${progress.unique} unique, ${progress.verified} verified, ` +
      `${progress.greylisted} waiting for greylisting retry, ETA ${eta}`;
    const now = Date.now();
    if (final || (line !== this.lastPlain && now - this.lastPlainAt >= 2000)) {
      this.stream.write(`listclean: ${line}\n`);
      this.lastPlain = line;
      this.lastPlainAt = now;
    }
  }

  /** Prints a line of its own (a warning) without garbling the bar; the next update redraws it. */
  interrupt(print: () => void): void {
    if (this.bar) {
      this.stream.clearLine?.(0);
      this.stream.cursorTo?.(0);
    }
    print();
  }

  stop(): void {
    this.bar?.stop();
  }
}
