/** Sign in with an API key: checked against the API, then kept in this tab's sessionStorage. */
import { api, storeKey } from '../api.ts';
import { h, replace } from '../dom.ts';
import { busy, errorBox, heading } from './common.ts';

export function signInView(main: HTMLElement, notice: string | null, onSignedIn: () => void): void {
  const errors = errorBox();
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'api-key-hint',
  });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', novalidate: true },
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'api-key-hint', class: 'hint' },
      'The key your operator issued (API_KEYS). It stays in this browser tab only, until you ' +
        'sign out or close the tab.',
    ),
    button,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === '') {
      errors.show(new Error('Enter an API key.'));
      input.focus();
      return;
    }
    void busy(button, 'Signing in…', async () => {
      try {
        // Any call with the key tells whether it is one: the smallest is a one-list index.
        await api('/v1/lists?limit=1', { key });
        storeKey(key);
        onSignedIn();
      } catch (error) {
        errors.show(error);
        input.focus();
      }
    });
  });
  const title = heading('Sign in');
  replace(
    main,
    title,
    h(
      'p',
      { class: 'lead' },
      'Clean email lists: upload, watch them verified, download the results.',
    ),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    errors.element,
    form,
  );
  input.focus();
}
