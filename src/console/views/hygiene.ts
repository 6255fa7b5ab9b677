/**
 * A list's hygiene: its schedule (set, change, remove: PUT/GET/DELETE …/schedule) and its runs
 * with their summaries and changes.csv.
 */
import { ApiError, api, openReport } from '../api.ts';
import { h, replace } from '../dom.ts';
import { count, dateTime } from '../format.ts';
import type { Run, Schedule } from '../types.ts';
import { busy, type Cleanup, errorBox, poll } from './common.ts';

const PRESETS: ReadonlyArray<{ cron: string; label: string }> = [
  { cron: '0 3 * * *', label: 'Nightly at 03:00' },
  { cron: '0 3 * * 1', label: 'Weekly, Mondays at 03:00' },
  { cron: '0 3 1 * *', label: 'Monthly, on the 1st at 03:00' },
  { cron: '0 */6 * * *', label: 'Every 6 hours' },
];
const CUSTOM = 'custom';
const RUNS_MS = 15_000;

function timeZones(): string[] {
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', local, ...all])];
}

function describeSchedule(schedule: Schedule): string {
  const preset = PRESETS.find((p) => p.cron === schedule.cron);
  const what = preset ? `${preset.label} (${schedule.cron})` : `cron ${schedule.cron}`;
  return `${what}, ${schedule.timezone}; next run ${dateTime(schedule.next_run)}.`;
}

export function hygieneSection(container: HTMLElement, base: string): Cleanup {
  const errors = errorBox();
  const current = h('p', { role: 'status' }, 'Loading the schedule…');
  const preset = h('select', { id: 'cron-preset' });
  for (const p of PRESETS) preset.append(h('option', { value: p.cron }, p.label));
  preset.append(h('option', { value: CUSTOM }, 'Custom (cron expression)'));
  const cron = h('input', {
    id: 'cron',
    type: 'text',
    value: PRESETS[0]?.cron ?? '0 3 * * *',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'cron-hint',
  });
  const zone = h('select', { id: 'timezone' });
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const name of timeZones()) {
    zone.append(h('option', { value: name, selected: name === local }, name.replaceAll('_', ' ')));
  }
  preset.addEventListener('change', () => {
    if (preset.value !== CUSTOM) cron.value = preset.value;
    else cron.focus();
  });
  cron.addEventListener('input', () => {
    const known = PRESETS.find((p) => p.cron === cron.value.trim());
    preset.value = known ? known.cron : CUSTOM;
  });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save schedule');
  const remove = h('button', { type: 'button', hidden: true }, 'Remove schedule');
  const form = h(
    'form',
    { class: 'schedule', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'cron-preset' }, 'Repeat'), preset),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'cron' }, 'Cron expression'),
      cron,
      h(
        'p',
        { id: 'cron-hint', class: 'hint' },
        'minute hour day-of-month month day-of-week, e.g. 30 2 * * 1-5 (a sixth field first: seconds).',
      ),
    ),
    h('div', { class: 'field' }, h('label', { for: 'timezone' }, 'Time zone'), zone),
    h('div', { class: 'buttons' }, save, remove),
  );
  const runs = h('div', {});

  const show = (schedule: Schedule | null) => {
    remove.hidden = schedule === null;
    replace(
      current,
      schedule === null
        ? 'No schedule: the list is not re-verified on its own.'
        : `Scheduled: ${describeSchedule(schedule)}`,
    );
    if (schedule !== null) {
      cron.value = schedule.cron;
      const known = PRESETS.find((p) => p.cron === schedule.cron);
      preset.value = known ? known.cron : CUSTOM;
      if (![...zone.options].some((o) => o.value === schedule.timezone)) {
        zone.append(h('option', { value: schedule.timezone }, schedule.timezone));
      }
      zone.value = schedule.timezone;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(save, 'Saving…', async () => {
      try {
        errors.clear();
        const schedule = await api<Schedule>(`${base}/schedule`, {
          method: 'PUT',
          json: { cron: cron.value.trim(), timezone: zone.value },
        });
        show(schedule);
      } catch (error) {
        errors.show(error);
      }
    });
  });
  remove.addEventListener('click', () => {
    void busy(remove, 'Removing…', async () => {
      try {
        errors.clear();
        await api(`${base}/schedule`, { method: 'DELETE' });
        show(null);
        save.focus();
      } catch (error) {
        errors.show(error);
      }
    });
  });

  replace(
    container,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'hygiene-h' },
      h('h2', { id: 'hygiene-h' }, 'Hygiene'),
      h(
        'p',
        { class: 'hint' },
        'Re-verify the list on a schedule: fresh cached verdicts are reused, and each run lists ' +
          'the addresses whose status changed (changes.csv).',
      ),
      current,
      errors.element,
      form,
      h('h3', { id: 'runs-h' }, 'Runs'),
      runs,
    ),
  );

  api<Schedule>(`${base}/schedule`)
    .then(show)
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.code === 'no_schedule') show(null);
      else errors.show(error);
    });

  return poll(
    async () => {
      const answer = await api<{ runs: Run[] }>(`${base}/runs`);
      drawRuns(runs, base, answer.runs, errors);
      return true;
    },
    RUNS_MS,
    (error) => errors.show(error),
  );
}

function drawRuns(
  container: HTMLElement,
  base: string,
  runs: Run[],
  errors: ReturnType<typeof errorBox>,
): void {
  const state = JSON.stringify(runs);
  if (container.dataset.state === state) return;
  container.dataset.state = state;
  if (runs.length === 0) {
    replace(container, h('p', {}, 'No runs yet.'));
    return;
  }
  const file = (run: Run, kind: string, name: string) => {
    const button = h('button', { type: 'button', class: 'download small' }, name);
    button.setAttribute('aria-label', `Download ${name} of run ${run.id}`);
    button.addEventListener('click', () => {
      void busy(button, '…', async () => {
        try {
          errors.clear();
          await openReport(`${base}/runs/${encodeURIComponent(run.id)}/reports/${kind}`, false);
        } catch (error) {
          errors.show(error);
        }
      });
    });
    return button;
  };
  replace(
    container,
    h(
      'div',
      { class: 'table-scroll', role: 'region', tabindex: 0, 'aria-labelledby': 'runs-h' },
      h(
        'table',
        { class: 'runs' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Run'),
            h('th', { scope: 'col' }, 'Status'),
            h('th', { scope: 'col' }, 'Finished'),
            h('th', { scope: 'col' }, 'Verdicts'),
            h('th', { scope: 'col', class: 'n' }, 'Changes'),
            h('th', { scope: 'col' }, 'Files'),
          ),
        ),
        h(
          'tbody',
          {},
          ...runs.map((run) =>
            h(
              'tr',
              {},
              h('td', {}, run.id),
              h('td', {}, run.status),
              h('td', {}, dateTime(run.finished_at)),
              h(
                'td',
                {},
                run.summary
                  ? `${count(run.summary.by_status.deliverable ?? 0)} deliverable, ` +
                      `${count(run.summary.by_status.undeliverable ?? 0)} undeliverable`
                  : '—',
              ),
              h('td', { class: 'n' }, run.changes === null ? '—' : count(run.changes)),
              h(
                'td',
                { class: 'files' },
                run.status === 'done'
                  ? h(
                      'span',
                      {},
                      file(run, 'changes', 'changes.csv'),
                      file(run, 'report', 'report.csv'),
                      file(run, 'cleaned', 'cleaned.csv'),
                    )
                  : '—',
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
