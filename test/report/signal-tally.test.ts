/** report.html's providers and DMARC section: its counts, its cap, and escaping. */
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/html.ts';
import type { Summary } from '../../src/report/index.ts';
import { SignalTally } from '../../src/report/signal-tally.ts';
import type { DmarcPolicy } from '../../src/verdict/result.ts';

const signal = (mx_provider: string | null, spf: boolean | null, dmarc: DmarcPolicy | null) => ({
  mx_provider,
  spf,
  dmarc,
});

describe('SignalTally', () => {
  it('counts addresses by provider, DMARC policy and SPF', () => {
    const tally = new SignalTally();
    tally.add(signal('google', true, 'reject'));
    tally.add(signal('google', true, 'reject'));
    tally.add(signal('microsoft', false, 'none'));
    tally.add(signal(null, null, null));
    const counts = tally.counts(10);
    expect(counts.providers).toEqual([
      { provider: 'google', addresses: 2 },
      { provider: 'microsoft', addresses: 1 },
    ]);
    expect(counts.noProvider).toBe(1);
    expect(counts.dmarc).toEqual({ reject: 2, quarantine: 0, none: 1, absent: 0, unknown: 1 });
    expect(counts.spf).toEqual({ published: 2, missing: 1, unknown: 1 });
    expect(counts.known).toBe(true);
  });

  it('keeps memory bounded: providers past the cap count as other', () => {
    const tally = new SignalTally(2);
    for (const provider of ['a', 'b', 'c', 'a', 'd']) tally.add(signal(provider, null, null));
    const counts = tally.counts(1);
    expect(counts.providers).toEqual([{ provider: 'a', addresses: 2 }]);
    // b (shown beyond the limit) and c, d (past the cap).
    expect(counts.otherProviders).toBe(3);
  });

  it('knows nothing of a list verified before signals existed', () => {
    const tally = new SignalTally();
    tally.add(signal(null, null, null));
    expect(tally.counts(10).known).toBe(false);
  });
});

describe('the section in report.html', () => {
  const summary = { list: 'l', rows: 0, timings: {}, warnings: [] } as unknown as Summary;
  const page = (tally: SignalTally) =>
    renderReportHtml({
      summary: {
        ...summary,
        by_status: { deliverable: 0, risky: 0, unknown: 0, undeliverable: 0 },
        by_reason: {} as Summary['by_reason'],
        expected_bounce_rate: { before: 0, after: 0 },
        column: null,
        generated_at: '2026-01-01T00:00:00Z',
      },
      riskiestDomains: [],
      untrackedRows: 0,
      signals: tally.counts(10),
    });

  it('escapes provider names and stays self-contained', () => {
    const tally = new SignalTally();
    tally.add(signal('<img src=x onerror=alert(1)>.test', true, 'quarantine'));
    const html = page(tally);
    expect(html).toContain('<h2>Mail providers</h2>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.test');
    expect(html).not.toContain('<img');
    expect(html).toMatch(/<td class="domain">quarantine<\/td><td>[^<]+<\/td><td class="n">1</);
  });

  it('is left out when no address had a signal', () => {
    const tally = new SignalTally();
    tally.add(signal(null, null, null));
    expect(page(tally)).not.toContain('Mail providers');
  });
});
