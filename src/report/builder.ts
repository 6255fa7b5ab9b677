/**
 * Builds the output files of DESIGN §4 from the rows of a list, streamed once in input order.
 * Memory does not grow with the list: CSV rows go straight to files with backpressure,
 * bounce-risk.csv is sorted through one temp file per score, and the only per-list state is
 * counters and a capped per-domain tally.
 *
 * cleaned.csv keeps the first occurrence of each address only: a cleaned list must not mail
 * anyone twice. report.csv, bounce-risk.csv and the per-status files are per row and keep
 * duplicates, so the four status files together hold every row exactly once.
 *
 * Every CSV of the input's rows keeps the input's style (ReportOptions.format); the email cell
 * loses the spaces and tabs around the address, which the verdict ignored too. No other cell
 * changes, but for the formula-injection quote every CSV cell may get.
 */
import { mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListcleanError } from '../errors.ts';
import { STATUSES, type Status } from '../verdict/types.ts';
import { BounceRiskBuckets } from './bounce-risk-buckets.ts';
import { pendingCells, reportHeader, verdictCells } from './columns.ts';
import { CsvFileWriter } from './csv-file-writer.ts';
import { type CsvFormat, DEFAULT_CSV_FORMAT } from './csv-format.ts';
import { DomainTally, domainOf } from './domain-tally.ts';
import { renderReportHtml } from './html.ts';
import { neutraliseRow } from './neutralise.ts';
import { SignalTally } from './signal-tally.ts';
import { writeZip } from './status-zip.ts';
import { type Summary, SummaryTally } from './summary.ts';
import {
  REPORT_FILES,
  type ReportFileName,
  type ReportInputRow,
  type ReportOptions,
  STATUS_FILES,
  STATUS_ZIP,
} from './types.ts';
import type { ProviderBlockWarning } from './warnings.ts';

const RISKIEST_DOMAINS_SHOWN = 10;
const PROVIDERS_SHOWN = 10;

export interface ReportOutput {
  /** Local paths (in tmpDir) of the finished files, by contract file name. */
  files: Record<ReportFileName, string>;
  summary: Summary;
}

type State = 'open' | 'finishing' | 'finished' | 'disposed';

export class ReportBuilder {
  private readonly options: ReportOptions;
  private readonly paths: Record<ReportFileName, string>;
  private readonly header: string[];
  private readonly format: Readonly<CsvFormat>;
  private readonly report: CsvFileWriter;
  private readonly cleaned: CsvFileWriter;
  private readonly byStatus: Record<Status, CsvFileWriter>;
  private readonly buckets: BounceRiskBuckets;
  private readonly tally = new SummaryTally();
  private readonly domains = new DomainTally();
  private readonly signals = new SignalTally();
  private state: State = 'open';

  constructor(options: ReportOptions) {
    this.options = { ...options, columns: [...options.columns] };
    // Synchronous once, so the streams below can open their files without a race.
    mkdirSync(options.tmpDir, { recursive: true });
    this.paths = Object.fromEntries(
      REPORT_FILES.map((name) => [name, join(options.tmpDir, name)]),
    ) as Record<ReportFileName, string>;
    this.format = options.format ?? DEFAULT_CSV_FORMAT;
    // Column names come from the uploaded file too: neutralised like every other cell.
    this.header = neutraliseRow(reportHeader(options.columns));
    this.report = new CsvFileWriter(this.paths['report.csv'], this.header, this.format);
    // A file without a header row gives files of its rows without one, ready to import alike.
    const ownHeader = this.format.header ? neutraliseRow(options.columns) : undefined;
    this.cleaned = new CsvFileWriter(this.paths['cleaned.csv'], ownHeader, this.format);
    this.byStatus = Object.fromEntries(
      STATUSES.map((status) => [
        status,
        new CsvFileWriter(this.paths[STATUS_FILES[status]], ownHeader, this.format),
      ]),
    ) as Record<Status, CsvFileWriter>;
    this.buckets = new BounceRiskBuckets(options.tmpDir, this.format);
  }

  /**
   * Call for every row, in order, awaiting each call: the promise settles when every file the
   * row went to can take more. Every write happens before the first await, so the files keep
   * input order even for a caller that does not wait.
   */
  add(row: ReportInputRow): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError('add'));
    let original: string[];
    try {
      original = neutraliseRow(this.trimEmail(this.fitWidth(row.fields)));
    } catch (error) {
      return Promise.reject(error);
    }
    const { result } = row;
    if (row.pending) {
      this.tally.add(row, false);
      return this.report.write(original.concat(neutraliseRow(pendingCells(result))));
    }
    const full = original.concat(neutraliseRow(verdictCells(result)));
    const cleaned = this.keeps(row);
    this.tally.add(row, cleaned);
    const domain = domainOf(result.email_normalized);
    if (domain !== null) this.domains.add(domain, result.status);
    if (domain !== null && !row.duplicate) this.signals.add(result);

    const waits = [this.report.write(full), this.byStatus[result.status].write(original)];
    if (cleaned) waits.push(this.cleaned.write(original));
    if (result.status !== 'deliverable') waits.push(this.buckets.add(result.risk_score, full));
    return Promise.all(waits).then(() => undefined);
  }

  /**
   * Ends the streams and writes the remaining files; `timings` and `warnings` go into
   * summary.json (and the warnings into report.html) as given.
   */
  async finish(
    timings: Record<string, number>,
    warnings: ProviderBlockWarning[] = [],
  ): Promise<ReportOutput> {
    if (this.state !== 'open') throw this.closedError('finish');
    this.state = 'finishing';
    await Promise.all([this.report, this.cleaned, ...this.statusWriters()].map((w) => w.end()));
    await this.buckets.writeTo(this.paths['bounce-risk.csv'], this.header);
    const generatedAt = new Date();
    await writeZip(
      this.paths[STATUS_ZIP],
      STATUSES.map((status) => ({
        path: this.paths[STATUS_FILES[status]],
        name: STATUS_FILES[status],
      })),
      generatedAt,
    );
    const riskiestDomains = this.domains.riskiest(RISKIEST_DOMAINS_SHOWN);
    const summary: Summary = {
      ...this.tally.summary(
        this.options.listName,
        this.options.includeRisky,
        timings,
        warnings,
        generatedAt,
        this.options.column ?? null,
      ),
      // The same ranking as report.html's table, so the web console can chart it.
      riskiest_domains: riskiestDomains.map((entry) => ({ ...entry })),
    };
    await writeFile(this.paths['summary.json'], `${JSON.stringify(summary, null, 2)}\n`);
    const html = renderReportHtml({
      summary,
      riskiestDomains,
      untrackedRows: this.domains.other.rows,
      signals: this.signals.counts(PROVIDERS_SHOWN),
    });
    await writeFile(this.paths['report.html'], html);
    this.state = 'finished';
    return { files: { ...this.paths }, summary };
  }

  /** Stops any unfinished stream and removes every file this builder wrote (tmpDir stays). */
  async dispose(): Promise<void> {
    if (this.state === 'disposed') return;
    this.state = 'disposed';
    for (const writer of [this.report, this.cleaned, ...this.statusWriters()]) writer.destroy();
    await this.buckets.dispose();
    await Promise.all(Object.values(this.paths).map((path) => rm(path, { force: true })));
  }

  private statusWriters(): CsvFileWriter[] {
    return STATUSES.map((status) => this.byStatus[status]);
  }

  /** The address without the spaces and tabs around it, as `parseAddress` reads it. */
  private trimEmail(fields: string[]): string[] {
    const column = this.options.emailColumn;
    const cell = column === undefined ? undefined : fields[column];
    if (column === undefined || cell === undefined) return fields;
    const trimmed = cell.replace(/^[ \t]+|[ \t]+$/g, '');
    if (trimmed === cell) return fields;
    const copy = [...fields];
    copy[column] = trimmed;
    return copy;
  }

  /** cleaned.csv: deliverable (and risky when asked), first occurrence of an address only. */
  private keeps(row: ReportInputRow): boolean {
    if (row.duplicate) return false;
    const { status } = row.result;
    return status === 'deliverable' || (status === 'risky' && this.options.includeRisky);
  }

  /**
   * Short rows are padded (harmless). A row wider than the header is refused: its extra cells
   * would slide under our verdict columns and every reader of report.csv would misread it.
   */
  private fitWidth(fields: string[]): string[] {
    const width = this.options.columns.length;
    if (fields.length === width) return fields;
    if (fields.length < width) return fields.concat(Array(width - fields.length).fill(''));
    throw new ListcleanError(
      'report_row_too_wide',
      `a row has ${fields.length} fields but the header has ${width} columns; ` +
        'the aggregate step must fit rows to the header before reporting them',
    );
  }

  private closedError(operation: string): ListcleanError {
    return new ListcleanError(
      'report_closed',
      `ReportBuilder.${operation}() called after finish() or dispose(); build a new report`,
    );
  }
}
