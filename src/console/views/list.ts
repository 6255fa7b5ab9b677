/**
 * One list: live progress (polled), what its pending addresses wait for, partial reports while
 * it runs; once done the summary as charts and every report one click away; its hygiene
 * schedule and runs; delete.
 */
import { ApiError, api, openReport } from '../api.ts';
import { barChart } from '../charts.ts';
import { h, replace } from '../dom.ts';
import { count, dateTime, fromNow, percent, when } from '../format.ts';
import type { DomainRisk, ListDetail, Summary } from '../types.ts';
import { REASON_STATUS, REPORTS, STATUS_ORDER, words } from '../verdicts.ts';
import {
  badge,
  busy,
  type Cleanup,
  errorBox,
  facts,
  finished,
  heading,
  poll,
  statusWords,
} from './common.ts';
import { hygieneSection } from './hygiene.ts';

const POLL_MS = 1500;

export function listView(main: HTMLElement, id: string): Cleanup {
  const base = `/v1/lists/${encodeURIComponent(id)}`;
  const errors = errorBox();
  const title = heading('List');
  const subtitle = h('p', { class: 'meta' });
  // Announced when it changes: the status, not every count.
  const statusLine = h('p', { class: 'status-line', 'aria-live': 'polite' });
  const bar = h('progress', { id: 'list-progress', max: 1, value: 0 });
  const barLabel = h('label', { for: 'list-progress' }, 'Addresses verified');
  const numbers = h('div', {});
  const waiting = h('div', {});
  const partial = partialSection(base, errors);
  const results = h('div', {});
  const hygiene = h('div', {});
  const progressSection = h(
    'section',
    { 'aria-labelledby': 'progress-h', class: 'card' },
    h('h2', { id: 'progress-h' }, 'Progress'),
    statusLine,
    h('div', { class: 'progress-line wide' }, barLabel, bar),
    numbers,
    waiting,
    partial.element,
  );
  const estimate = finishEstimate();
  let hygieneCleanup: Cleanup | null = null;
  let doneDrawn = false;
  let lastStatus = '';

  replace(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/lists' }, '← All lists')),
    title,
    subtitle,
    errors.element,
    progressSection,
    results,
    hygiene,
    deleteSection(base, () => title.textContent ?? 'this list', errors),
  );

  const draw = (list: ListDetail) => {
    title.textContent = list.name;
    document.title = `${list.name} · listclean`;
    replace(subtitle, badge(list.status), ` Uploaded ${dateTime(list.created_at)} · id ${list.id}`);
    const p = list.progress;
    bar.max = Math.max(p.unique, 1);
    bar.value = p.unique === 0 ? 0 : Math.min(p.verified, p.unique);
    replace(barLabel, `Addresses verified: ${count(p.verified)} of ${count(p.unique)}`);
    if (list.status !== lastStatus) {
      lastStatus = list.status;
      replace(statusLine, sentence(list));
    }
    const pairs: Array<[string, string]> = [
      ['Rows read', count(p.rows)],
      ['Addresses', count(p.unique)],
      ['Verified', count(p.verified)],
      ['Pending', count(p.pending)],
    ];
    if (!finished(list.status)) {
      if (p.deadline) pairs.push(['Deadline', `${when(p.deadline)} (${fromNow(p.deadline)})`]);
      const eta = estimate.expected(list);
      if (eta !== null) pairs.push(['Expected done', eta]);
    }
    if (list.column) {
      pairs.push([
        'Email column',
        `${list.column.number} · ${list.column.name} (${list.column.detected})`,
      ]);
    }
    replace(numbers, facts(pairs));
    replace(waiting, waitingPart(list));
    partial.element.hidden = finished(list.status) || list.status === 'queued';
    if (list.status === 'failed') {
      replace(
        results,
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'failed-h' },
          h('h2', { id: 'failed-h' }, 'The list failed'),
          h('p', { class: 'error' }, list.error ?? 'No reason was given.'),
        ),
      );
    }
    if (list.status === 'done' && list.summary && !doneDrawn) {
      doneDrawn = true;
      replace(results, summarySection(list.summary, base, errors), downloadsSection(base, errors));
    }
    if (hygieneCleanup === null && (list.status === 'done' || doneDrawn)) {
      hygieneCleanup = hygieneSection(hygiene, base);
    }
  };

  const stop = poll(
    async () => {
      const list = await api<ListDetail>(base);
      errors.clear();
      draw(list);
      return !finished(list.status);
    },
    POLL_MS,
    (error) => {
      if (error instanceof ApiError && error.status === 404) {
        // Gone, or never this tenant's: nothing else of the page applies.
        stop();
        replace(
          main,
          h('p', { class: 'crumbs' }, h('a', { href: '#/lists' }, '← All lists')),
          heading('List not found'),
          errors.element,
        );
        main.querySelector('h1')?.focus();
      }
      errors.show(error);
    },
  );
  return () => {
    stop();
    hygieneCleanup?.();
  };
}

const RATE_WINDOW_MS = 30_000;

/**
 * When the list should be done, as the API's own estimate (estimateFinish) reckons it, with the
 * rate the console sees between its polls (the API keeps no rate history, so its `eta` alone is
 * the deadline or the last wait): never after the deadline, never before the last wait ends.
 */
function finishEstimate() {
  const samples: Array<{ at: number; verified: number }> = [];
  return {
    expected(list: ListDetail, now = Date.now()): string | null {
      const p = list.progress;
      samples.push({ at: now, verified: p.verified });
      while (samples.length > 2 && now - (samples[0]?.at ?? now) > RATE_WINDOW_MS) samples.shift();
      const [first] = samples;
      const span = first ? now - first.at : 0;
      const rate = first && span > 0 ? (p.verified - first.verified) / span : 0;
      const w = p.waiting;
      const waitingNow = w ? w.greylisted + w.throttled + w.retrying + w.deferred : 0;
      const active = Math.max(0, p.pending - waitingNow);
      const until = w?.until ? Date.parse(w.until) : null;
      const deadline = p.deadline ? Date.parse(p.deadline) : null;
      let finish: number | null = null;
      if (active === 0 && until !== null) finish = until;
      else if (rate > 0) finish = Math.max(now + active / rate, until ?? 0);
      if (deadline !== null && (finish === null || finish >= deadline)) {
        return `by the deadline at the latest (${fromNow(new Date(deadline).toISOString(), now)})`;
      }
      if (finish === null) return p.eta ? `${when(p.eta)} (${fromNow(p.eta, now)})` : null;
      const at = new Date(Math.max(now, finish)).toISOString();
      return `about ${when(at)} (${fromNow(at, now)})`;
    },
  };
}

function sentence(list: ListDetail): string {
  switch (list.status) {
    case 'queued':
      return 'Queued: a worker will pick it up shortly.';
    case 'ingesting':
      return 'Reading the file and finding the addresses.';
    case 'verifying':
      return 'Verifying the addresses with their mail servers.';
    case 'aggregating':
      return 'Verified; writing the reports.';
    case 'done':
      return 'Done: the reports are ready.';
    default:
      return `${statusWords(list.status)}.`;
  }
}

function waitingPart(list: ListDetail): Node | null {
  const w = list.progress.waiting;
  if (!w || finished(list.status)) return null;
  const total = w.greylisted + w.throttled + w.retrying + w.deferred;
  if (total === 0) return null;
  const kinds = (
    [
      ['greylisted', w.greylisted, 'waiting for a greylisting retry'],
      ['throttled', w.throttled, 'waiting for a turn with their provider'],
      ['retrying', w.retrying, 'retrying a server that timed out'],
      ['deferred', w.deferred, 'deferred by their server'],
    ] as const
  ).filter(([, n]) => n > 0);
  return h(
    'div',
    { class: 'waiting' },
    h('h3', {}, 'Waiting'),
    h(
      'p',
      {},
      `${count(total)} address(es) wait before they can be asked again`,
      w.until ? `, until ${when(w.until)} (${fromNow(w.until)}) at the latest.` : '.',
    ),
    h('ul', {}, ...kinds.map(([, n, what]) => h('li', {}, `${count(n)} ${what}`))),
    w.domains.length > 0
      ? h(
          'div',
          { class: 'table-scroll', role: 'region', tabindex: 0, 'aria-label': 'Waiting domains' },
          h(
            'table',
            {},
            h('caption', {}, 'Where they wait'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Domain'),
                h('th', { scope: 'col', class: 'n' }, 'Addresses'),
                h('th', { scope: 'col' }, 'Why'),
                h('th', { scope: 'col' }, 'Until'),
              ),
            ),
            h(
              'tbody',
              {},
              ...w.domains.map((d) =>
                h(
                  'tr',
                  {},
                  h('td', {}, d.domain),
                  h('td', { class: 'n' }, count(d.addresses)),
                  h('td', {}, d.reason),
                  h('td', {}, when(d.until)),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

function reportButton(
  path: string,
  file: string,
  inline: boolean,
  label: string,
  errors: ReturnType<typeof errorBox>,
): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'download' }, label);
  button.addEventListener('click', () => {
    void busy(button, 'Preparing…', async () => {
      try {
        errors.clear();
        await openReport(path, inline);
      } catch (error) {
        errors.show(error);
      }
    });
  });
  button.dataset.file = file;
  return button;
}

function partialSection(base: string, errors: ReturnType<typeof errorBox>) {
  const element = h(
    'div',
    { class: 'partial', hidden: true },
    h('h3', {}, 'What is known so far'),
    h(
      'p',
      { class: 'hint' },
      'Reports of the addresses verified until now; the others are marked pending.',
    ),
    h(
      'div',
      { class: 'buttons' },
      reportButton(
        `${base}/reports/report?partial=true`,
        'report.csv',
        false,
        'Download report.csv so far',
        errors,
      ),
      reportButton(
        `${base}/reports/summary?partial=true`,
        'summary.json',
        true,
        'Open summary.json so far',
        errors,
      ),
      reportButton(
        `${base}/reports/html?partial=true`,
        'report.html',
        true,
        'Open report.html so far',
        errors,
      ),
    ),
  );
  return { element };
}

const TONE = (status: string) => `tone-${status}`;

function summarySection(
  summary: Summary,
  base: string,
  errors: ReturnType<typeof errorBox>,
): HTMLElement {
  const statuses = STATUS_ORDER.map((status) => ({
    label: status,
    value: summary.by_status[status] ?? 0,
    tone: TONE(status),
  }));
  const reasons = Object.entries(summary.by_reason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => ({
      label: words(reason),
      value: n,
      tone: TONE(REASON_STATUS[reason] ?? 'unknown'),
    }));
  const riskiest = summary.riskiest_domains;
  const bounce = [
    {
      label: 'before cleaning',
      value: summary.expected_bounce_rate.before,
      tone: 'tone-undeliverable',
    },
    {
      label: 'after cleaning',
      value: summary.expected_bounce_rate.after,
      tone: 'tone-deliverable',
    },
  ];
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'summary-h' },
    h('h2', { id: 'summary-h' }, 'Summary'),
    facts([
      ['Rows', count(summary.rows)],
      ['Distinct addresses', count(summary.unique_addresses)],
      ['Duplicates', count(summary.duplicates)],
      ['Rows without a usable address', count(summary.invalid_rows)],
      [
        'Rows in cleaned.csv',
        `${count(summary.cleaned_rows)}${summary.include_risky ? ' (risky ones kept)' : ''}`,
      ],
    ]),
    h(
      'div',
      { class: 'charts' },
      barChart('Rows by status', statuses, count),
      barChart('Expected bounce rate', bounce, percent),
      barChart('Rows by reason', reasons, count),
      riskiest ? riskiestChart(riskiest) : null,
    ),
    riskiest ? riskiestTable(riskiest) : null,
    (summary.warnings ?? []).length > 0
      ? h(
          'div',
          { class: 'warning' },
          h('h3', {}, 'Providers that refused us'),
          h('ul', {}, ...(summary.warnings ?? []).map((w) => h('li', {}, w.message))),
        )
      : null,
    h(
      'p',
      {},
      riskiest
        ? 'The report page has all of this in one file to keep or share: '
        : 'The riskiest domains, with their undeliverable and unknown rows, are in the report page: ',
      reportButton(`${base}/reports/html`, 'report.html', true, 'Open the report page', errors),
    ),
  );
}

/** The domains with the most undeliverable or unknown rows, as summary.json ranks them. */
function riskiestChart(domains: DomainRisk[]): HTMLElement {
  if (domains.length === 0) {
    return h(
      'figure',
      { class: 'figure' },
      h('figcaption', {}, 'Riskiest domains'),
      h('p', {}, 'No domain has undeliverable or unknown rows.'),
    );
  }
  return barChart(
    'Riskiest domains (undeliverable and unknown rows)',
    domains.map((d) => ({
      label: d.domain,
      value: d.undeliverable + d.unknown,
      tone: d.undeliverable >= d.unknown ? 'tone-undeliverable' : 'tone-unknown',
    })),
    count,
  );
}

function riskiestTable(domains: DomainRisk[]): HTMLElement | null {
  if (domains.length === 0) return null;
  return h(
    'div',
    { class: 'table-scroll', role: 'region', tabindex: 0, 'aria-labelledby': 'riskiest-caption' },
    h(
      'table',
      { class: 'riskiest' },
      h('caption', { id: 'riskiest-caption' }, 'Riskiest domains'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Domain'),
          h('th', { scope: 'col', class: 'n' }, 'Rows'),
          h('th', { scope: 'col', class: 'n' }, 'Undeliverable'),
          h('th', { scope: 'col', class: 'n' }, 'Unknown'),
          h('th', { scope: 'col', class: 'n' }, 'At risk'),
        ),
      ),
      h(
        'tbody',
        {},
        ...domains.map((d) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, d.domain),
            h('td', { class: 'n' }, count(d.rows)),
            h('td', { class: 'n' }, count(d.undeliverable)),
            h('td', { class: 'n' }, count(d.unknown)),
            h('td', { class: 'n' }, percent(d.share)),
          ),
        ),
      ),
    ),
  );
}

function downloadsSection(base: string, errors: ReturnType<typeof errorBox>): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'downloads-h' },
    h('h2', { id: 'downloads-h' }, 'Downloads'),
    h(
      'ul',
      { class: 'downloads' },
      ...REPORTS.map((report) =>
        h(
          'li',
          {},
          reportButton(
            `${base}/reports/${report.kind}`,
            report.file,
            report.inline === true,
            `${report.inline ? 'Open' : 'Download'} ${report.file}`,
            errors,
          ),
          h('span', { class: 'hint' }, ` ${report.what}`),
        ),
      ),
    ),
  );
}

function deleteSection(
  base: string,
  name: () => string,
  errors: ReturnType<typeof errorBox>,
): HTMLElement {
  const opener = h('button', { type: 'button', class: 'danger' }, 'Delete this list…');
  const confirm = h('button', { type: 'button', class: 'danger' }, 'Delete');
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const question = h('p', { id: 'delete-q' });
  const dialog = h(
    'dialog',
    { 'aria-labelledby': 'delete-h', 'aria-describedby': 'delete-q' },
    h('h2', { id: 'delete-h' }, 'Delete the list?'),
    question,
    h('div', { class: 'buttons' }, cancel, confirm),
  );
  opener.addEventListener('click', () => {
    replace(
      question,
      `${name()}, its reports, its results and its hygiene schedule will be deleted. This cannot be undone.`,
    );
    dialog.showModal();
    cancel.focus();
  });
  cancel.addEventListener('click', () => dialog.close());
  confirm.addEventListener('click', () => {
    void busy(confirm, 'Deleting…', async () => {
      try {
        await api(base, { method: 'DELETE' });
        dialog.close();
        location.hash = '#/lists';
      } catch (error) {
        dialog.close();
        errors.show(error);
        opener.focus();
      }
    });
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'delete-section-h' },
    h('h2', { id: 'delete-section-h' }, 'Delete'),
    h('p', {}, 'Removes the list and everything listclean keeps of it.'),
    opener,
    dialog,
  );
}
