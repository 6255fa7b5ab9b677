import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/html.ts';
import type { Summary } from '../../src/report/index.ts';
import {
  type BuiltReport,
  buildReport,
  fixtureRows,
  HOSTILE_DOMAIN,
  removeReport,
} from './fixtures.ts';

const HOSTILE_LIST = '<script>alert("list")</script> & "co"';

let report: BuiltReport;
let html: string;

beforeAll(async () => {
  report = await buildReport(fixtureRows(), { listName: HOSTILE_LIST });
  html = report.text['report.html'];
});

afterAll(async () => {
  await removeReport(report);
});

describe('report.html', () => {
  it('loads nothing from outside the file', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\ssrc\s*=/i);
    expect(html).not.toMatch(/href\s*=\s*["']?http/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).toContain("default-src 'none'");
  });

  it('draws its charts as inline SVG', () => {
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('<style>');
  });

  it('escapes untrusted list names and domains', () => {
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;list&quot;)&lt;/script&gt; &amp; &quot;co&quot;',
    );
    expect(html).toContain('evil&lt;script&gt;alert(1)&lt;/script&gt;.test');
    expect(html).not.toContain(HOSTILE_DOMAIN);
  });

  it('shows the headline counts, every reason and the bounce rates', () => {
    const { summary } = report;
    expect(html).toContain(`<b>${summary.rows}</b>rows`);
    expect(html).toContain(`<b>${summary.duplicates}</b>duplicate rows`);
    for (const reason of Object.keys(summary.by_reason)) expect(html).toContain(`>${reason}<`);
    const percent = (rate: number): string => `${(rate * 100).toFixed(2)}%`;
    expect(html).toContain(percent(summary.expected_bounce_rate.before));
    expect(html).toContain(percent(summary.expected_bounce_rate.after));
  });

  it('ranks the riskiest domains by undeliverable and unknown rows', () => {
    const table = html.slice(html.indexOf('Riskiest domains'));
    const domains = [...table.matchAll(/<td class="domain">([^<]*)<\/td>/g)].map((m) => m[1]);
    // example.com has 3 undeliverable rows (gina twice, hank); grey.test 2 unknown; the rest 1.
    expect(domains[0]).toBe('example.com');
    expect(domains).toContain('grey.test');
    expect(domains).not.toContain('catchall.test');
    expect(domains.length).toBeLessThanOrEqual(10);
  });
});

describe('renderReportHtml', () => {
  it('escapes timing names and survives an empty list', () => {
    const summary: Summary = {
      ...report.summary,
      rows: 0,
      timings: { '<img src=x onerror=alert(1)>': 5 },
    };
    const page = renderReportHtml({ summary, riskiestDomains: [], untrackedRows: 3 });
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('No domain had undeliverable or unknown rows.');
    expect(page).not.toContain('NaN');
  });
});
