/**
 * Check one address: POST /v1/verify (waiting up to 20 s), then, for an answer still pending
 * (greylisting), GET /v1/verify/:id until it is final.
 */
import { api, send } from '../api.ts';
import { h, replace } from '../dom.ts';
import { dateTime, fromNow, when } from '../format.ts';
import type { VerifyBatch, VerifyResult } from '../types.ts';
import { words } from '../verdicts.ts';
import { busy, type Cleanup, errorBox, facts, heading, poll } from './common.ts';

const POLL_MS = 2000;

export function checkView(main: HTMLElement): Cleanup {
  const errors = errorBox();
  const input = h('input', {
    id: 'email',
    name: 'email',
    type: 'text',
    inputmode: 'email',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'email-hint',
  });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Check');
  const result = h('div', { 'aria-live': 'polite', class: 'verdict-slot' });
  let stopPolling: Cleanup | null = null;

  const form = h(
    'form',
    { class: 'card narrow', novalidate: true },
    h('label', { for: 'email' }, 'Email address'),
    input,
    h(
      'p',
      { id: 'email-hint', class: 'hint' },
      'Asked of its mail server without sending mail; a greylisting server can take a few minutes.',
    ),
    button,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const email = input.value.trim();
    if (email === '') {
      errors.show(new Error('Enter an address to check.'));
      input.focus();
      return;
    }
    stopPolling?.();
    errors.clear();
    replace(result, h('p', {}, `Checking ${email}…`));
    void busy(button, 'Checking…', async () => {
      try {
        const response = await send('/v1/verify', {
          method: 'POST',
          json: { email, wait: '20s' },
        });
        const batch = (await response.json()) as VerifyBatch;
        draw(batch);
        if (batch.status === 'pending') follow(batch.id);
      } catch (error) {
        replace(result);
        errors.show(error);
      }
    });
  });

  const draw = (batch: VerifyBatch) => {
    const [first] = batch.results;
    if (first) replace(result, verdict(first));
  };

  const follow = (id: string) => {
    stopPolling = poll(
      async () => {
        const batch = await api<VerifyBatch>(`/v1/verify/${encodeURIComponent(id)}`);
        draw(batch);
        return batch.status === 'pending';
      },
      POLL_MS,
      (error) => errors.show(error),
    );
  };

  replace(main, heading('Check one address'), errors.element, form, result);
  input.focus();
  return () => stopPolling?.();
}

const yesNo = (value: boolean | undefined) => (value ? 'yes' : 'no');

function verdict(result: VerifyResult): HTMLElement {
  if (result.status === 'pending') {
    return h(
      'section',
      { class: 'card verdict', 'aria-labelledby': 'verdict-h' },
      h('h2', { id: 'verdict-h' }, result.email),
      h('p', {}, h('span', { class: 'badge badge-queued' }, 'pending')),
      h(
        'p',
        {},
        'Not final yet',
        result.next_attempt_at
          ? `: asked again at ${when(result.next_attempt_at)} (${fromNow(result.next_attempt_at)}).`
          : '; still being asked.',
      ),
      result.detail ? h('p', { class: 'detail' }, `The server said: ${result.detail}`) : null,
    );
  }
  const pairs: Array<[string, Node | string]> = [
    ['Reason', words(result.reason ?? '—')],
    ['Risk score', `${result.risk_score ?? '—'} of 100`],
    ['Role address', yesNo(result.role)],
    ['Free mail provider', yesNo(result.free)],
    ['Disposable', yesNo(result.disposable)],
    ['Catch-all domain', yesNo(result.catch_all)],
  ];
  if (result.suggestion) pairs.push(['Did you mean', result.suggestion]);
  if (result.mx_host) pairs.push(['Mail server', result.mx_host]);
  if (result.smtp_code) {
    pairs.push(['SMTP reply', `${result.smtp_code} ${result.smtp_enhanced_code ?? ''}`.trim()]);
  }
  if (result.detail) pairs.push(['Detail', result.detail]);
  if (result.rule) pairs.push(['Rule', result.rule]);
  if (result.checked_at) pairs.push(['Checked', dateTime(result.checked_at)]);
  return h(
    'section',
    { class: 'card verdict', 'aria-labelledby': 'verdict-h' },
    h('h2', { id: 'verdict-h' }, result.email),
    h('p', {}, h('span', { class: `badge verdict-${result.status}` }, result.status)),
    facts(pairs),
  );
}
