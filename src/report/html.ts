/**
 * report.html: one self-contained page a marketer can open offline or attach to an email. No
 * script, font, image or stylesheet is fetched (inline <style> and SVG only), and a
 * Content-Security-Policy forbids anything else, so even a value that slipped past escaping
 * could not run or phone home.
 */
import type { Status } from '../verdict/types.ts';
import type { DomainRisk } from './domain-tally.ts';
import { formatCount, formatPercent, ratio } from './format.ts';
import { escapeHtml } from './html-escape.ts';
import { DMARC_ROWS, type DmarcRow, type SignalCounts } from './signal-tally.ts';
import type { Summary } from './summary.ts';
import { bounceRateChart, reasonChart, STATUS_COLORS, statusBar } from './svg-charts.ts';

export interface HtmlReportData {
  summary: Summary;
  /** Already ranked, riskiest first. */
  riskiestDomains: DomainRisk[];
  /** Rows whose domain was not tracked individually (the tally's cap was reached). */
  untrackedRows: number;
  /** Mail providers, DMARC policies and SPF by unique address; no section without them. */
  signals?: SignalCounts;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#212121;
background:#fafafa}
main{max-width:760px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px}
.meta{color:#616161;margin:0 0 16px;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:10px 14px;min-width:110px}
.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e0e0e0;padding:6px 8px;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.domain{overflow-wrap:anywhere}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
svg text{font-size:12px;fill:#212121}
.note{color:#616161;font-size:.9em}
.warn{background:#fff3e0;border:1px solid #e65100;border-radius:6px;padding:4px 14px;margin:16px 0}
.warn h2{margin-top:10px}
`;

const STATUS_ORDER: Status[] = ['deliverable', 'risky', 'unknown', 'undeliverable'];

function card(label: string, value: number): string {
  return `<div class="card"><b>${formatCount(value)}</b>${escapeHtml(label)}</div>`;
}

function statusLegend(summary: Summary): string {
  const rows = STATUS_ORDER.map((status) => {
    const count = summary.by_status[status];
    return (
      `<tr><td><span class="swatch" style="background:${STATUS_COLORS[status]}"></span>` +
      `${status}</td><td class="n">${formatCount(count)}</td>` +
      `<td class="n">${formatPercent(ratio(count, summary.rows))}</td></tr>`
    );
  });
  const head = '<tr><th>status</th><th class="n">rows</th><th class="n">share</th></tr>';
  return `<table>${head}${rows.join('')}</table>`;
}

function domainTable(domains: DomainRisk[], untrackedRows: number): string {
  if (domains.length === 0)
    return '<p class="note">No domain had undeliverable or unknown rows.</p>';
  const rows = domains.map(
    (entry) =>
      `<tr><td class="domain">${escapeHtml(entry.domain)}</td>` +
      `<td class="n">${formatCount(entry.rows)}</td>` +
      `<td class="n">${formatCount(entry.undeliverable)}</td>` +
      `<td class="n">${formatCount(entry.unknown)}</td>` +
      `<td class="n">${formatPercent(entry.share)}</td></tr>`,
  );
  const note =
    untrackedRows > 0
      ? `<p class="note">${formatCount(untrackedRows)} rows belong to domains beyond the ` +
        'number tracked one by one; they are counted in the totals but not ranked here.</p>'
      : '';
  return (
    '<table><tr><th>domain</th><th class="n">rows</th><th class="n">undeliverable</th>' +
    '<th class="n">unknown</th><th class="n">share undeliverable or unknown</th></tr>' +
    `${rows.join('')}</table>${note}`
  );
}

const DMARC_MEANING: Record<DmarcRow, string> = {
  reject: 'mail failing authentication is refused',
  quarantine: 'mail failing authentication goes to spam',
  none: 'monitoring only',
  absent: 'no DMARC record',
  unknown: 'DNS did not answer, or not looked up',
};

/** Who runs the addresses' mail and how their domains protect it (issue 12). */
function signalSection(signals: SignalCounts | undefined): string {
  if (!signals?.known || signals.addresses === 0) return '';
  const share = (n: number) => formatPercent(ratio(n, signals.addresses));
  const row = (label: string, n: number, note = '') =>
    `<tr><td class="domain">${escapeHtml(label)}</td>${note}` +
    `<td class="n">${formatCount(n)}</td><td class="n">${share(n)}</td></tr>`;
  const providers = [
    ...signals.providers.map((p) => row(p.provider, p.addresses)),
    ...(signals.otherProviders > 0 ? [row('other providers', signals.otherProviders)] : []),
    ...(signals.noProvider > 0 ? [row('no mail server', signals.noProvider)] : []),
  ];
  const dmarc = DMARC_ROWS.filter((policy) => signals.dmarc[policy] > 0).map((policy) =>
    row(policy, signals.dmarc[policy], `<td>${escapeHtml(DMARC_MEANING[policy])}</td>`),
  );
  const head = (first: string, extra = '') =>
    `<tr><th>${first}</th>${extra}<th class="n">addresses</th><th class="n">share</th></tr>`;
  const { spf } = signals;
  return (
    '<h2>Mail providers</h2>' +
    `<table>${head('provider (MX)')}${providers.join('')}</table>` +
    '<h2>DMARC policies</h2>' +
    `<table>${head('policy', '<th>meaning</th>')}${dmarc.join('')}</table>` +
    `<p class="note">SPF published for ${formatCount(spf.published)} address(es), missing for ` +
    `${formatCount(spf.missing)}, unknown for ${formatCount(spf.unknown)}. Counted once per ` +
    'unique address; the provider is who runs the domain’s MX.</p>'
  );
}

function warningList(summary: Summary): string {
  if (summary.warnings.length === 0) return '';
  const items = summary.warnings.map(
    (w) =>
      `<li><b>${escapeHtml(w.provider)}</b> refused us: <q>${escapeHtml(w.reply)}</q>. ` +
      `Probing it was paused until ${escapeHtml(w.until)}; ${formatCount(w.addresses)} ` +
      'address(es) are unknown (blocked), not verified.</li>',
  );
  return (
    '<section class="warn" role="alert"><h2>Warning: mail servers refused us</h2>' +
    `<ul>${items.join('')}</ul><p>Check the sending IP’s blocklist entries and reverse DNS and ` +
    'the MAIL FROM domain’s SPF, then run the list again.</p></section>'
  );
}

function timingList(timings: Record<string, number>): string {
  const entries = Object.entries(timings);
  if (entries.length === 0) return '';
  const rows = entries.map(
    ([stage, ms]) =>
      `<tr><td>${escapeHtml(stage)}</td><td class="n">${formatCount(Math.round(ms))} ms</td></tr>`,
  );
  return `<h2>Timings</h2><table>${rows.join('')}</table>`;
}

/** ` · addresses from column 3 "E-mail"`: which column was read, so a wrong pick shows. */
function columnNote({ column }: Summary): string {
  if (column === null) return '';
  return ` · addresses from column ${column.number} "${escapeHtml(column.name)}"`;
}

export function renderReportHtml(data: HtmlReportData): string {
  const { summary } = data;
  const list = escapeHtml(summary.list);
  const rate = summary.expected_bounce_rate;
  const kept = summary.include_risky ? 'deliverable and risky' : 'deliverable';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${list} · listclean report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Email list report</h1>
<p class="meta">${list}${columnNote(summary)} · generated ${escapeHtml(summary.generated_at)}</p>
<div class="cards">
${card('rows', summary.rows)}
${card('unique addresses', summary.unique_addresses)}
${card('duplicate rows', summary.duplicates)}
${card('invalid rows', summary.invalid_rows)}
${card('rows in cleaned list', summary.cleaned_rows)}
</div>
${warningList(summary)}
<h2>Status</h2>
${statusBar(summary.by_status)}
${statusLegend(summary)}
<h2>Expected bounce rate</h2>
<p>Sending to the whole list: <b>${formatPercent(rate.before, 2)}</b> of messages expected to
bounce; to the cleaned list (${kept} rows, each address once):
<b>${formatPercent(rate.after, 2)}</b>.</p>
${bounceRateChart(rate)}
<h2>Reasons</h2>
${reasonChart(summary.by_reason, summary.rows)}
<h2>Riskiest domains</h2>
${domainTable(data.riskiestDomains, data.untrackedRows)}
${signalSection(data.signals)}
${timingList(summary.timings)}
<p class="note">Bounce rates are estimates from each address's verdict. Files: report.csv (every
row), cleaned.csv (rows safe to send), bounce-risk.csv (the rest, riskiest first).</p>
</main>
</body>
</html>
`;
}
