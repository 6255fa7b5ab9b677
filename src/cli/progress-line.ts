/**
 * The `clean` progress display on stderr: a bar redrawn in place on a terminal, a plain line
 * every few seconds (only when something changed) when stderr is a file or pipe.
 */
import cliProgress from 'cli-progress';
import { estimateFinish, type ListProgress } from '../pipeline/progress.ts';
import type { EmailColumnInfo } from '../report/index.ts';

const CHOSEN: Record<EmailColumnInfo['detected'], string> = {
  header: 'by its header',
  content: 'by its values',
  given: 'as given',
};

/** `email column 3 "E-mail" (by its header)`, or empty while the column is not known yet. */
export function describeColumn(column: EmailColumnInfo | null): string {
  if (column === null) return '';
  return `email column ${column.number} "${column.name}" (${CHOSEN[column.detected]})`;
}

/** `42s`, `3m05s`, `2h10m`. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/**
 * `27 wait for greylisting retries, 3 for a provider's turn (most at mx.example.com) until
 * 14:05 UTC; deadline 15:30 UTC` — or empty when nothing waits and there is no deadline.
 */
export function describeWaiting(progress: ListProgress): string {
  const { addresses, until, domains } = progress.waiting;
  const parts = [
    addresses.greylisted ? `${addresses.greylisted} wait for greylisting retries` : '',
    addresses.throttled ? `${addresses.throttled} for a provider's turn` : '',
    addresses.retrying ? `${addresses.retrying} for a server to answer again` : '',
    addresses.deferred ? `${addresses.deferred} deferred by their server` : '',
  ].filter(Boolean);
  const top = domains[0];
  const waits =
    parts.length > 0 && until !== null
      ? `${parts.join(', ')}${top ? ` (most at ${top.domain})` : ''} until ${clock(until)} UTC`
      : '';
  const deadline =
    progress.deadlineAt !== null && progress.pending > 0
      ? `deadline ${clock(progress.deadlineAt)} UTC`
      : '';
  return [waits, deadline].filter(Boolean).join('; ');
}

export class ProgressDisplay {
  private readonly bar: cliProgress.SingleBar | null;
  private lastPlain = '';
  private lastPlainAt = 0;
  private readonly samples: Array<{ at: number; verified: number }> = [];
  /** The email column, shown once ingest has read the file's layout. */
  column: EmailColumnInfo | null = null;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.bar = stream.isTTY
      ? new cliProgress.SingleBar(
          {
            stream,
            format:
              '{bar} {percentage}% | {status} | {rows} rows · {unique} unique · {value} verified | {waiting} | ETA {eta_text}{column}',
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.bar?.start(1, 0, {
      status: 'queued',
      rows: 0,
      column: '',
      unique: 0,
      waiting: '',
      eta_text: '…',
    });
  }

  /** Verified addresses per ms over the last minute; null until it can tell. */
  private rate(progress: ListProgress): number | null {
    const now = Date.now();
    this.samples.push({ at: now, verified: progress.verified });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? now) < now - 60_000)
      this.samples.shift();
    const first = this.samples[0];
    if (!first || first.at === now || progress.verified === first.verified) return null;
    return (progress.verified - first.verified) / (now - first.at);
  }

  /** Time left, honestly: never beyond the deadline, never before the last known wait. */
  private eta(progress: ListProgress, ingested: boolean): string {
    const rate = this.rate(progress);
    if (!ingested) return '…';
    const finish = estimateFinish(progress, rate);
    return finish === null ? '…' : duration(finish - Date.now());
  }

  /** `final`: the last state, always printed in plain mode. */
  update(status: string, progress: ListProgress, ingested: boolean, final = false): void {
    const eta = this.eta(progress, ingested);
    const waiting = describeWaiting(progress);
    if (this.bar) {
      this.bar.setTotal(Math.max(1, progress.unique));
      this.bar.update(progress.verified, {
        status,
        rows: progress.rows,
        column: this.column === null ? '' : ` | ${describeColumn(this.column)}`,
        unique: progress.unique,
        waiting: waiting || 'nothing waits',
        eta_text: eta,
      });
      return;
    }
    const column = describeColumn(this.column);
    const line =
      `${status}: ${progress.rows} rows read, ${progress.unique} unique, ${progress.verified} verified` +
      `${waiting ? `; ${waiting}` : ''}; ETA ${eta}${column ? `; ${column}` : ''}`;
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
