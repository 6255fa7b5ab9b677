/**
 * The listclean web console: a small single-page app over the /v1 API. Views by URL fragment
 * (#/lists, #/lists/<id>, #/upload, #/check); the API key lives in sessionStorage only.
 */
import { type ApiError, storedKey, storeKey, whenUnauthorized } from './api.ts';
import { checkView } from './views/check.ts';
import type { Cleanup } from './views/common.ts';
import { listView } from './views/list.ts';
import { listsView } from './views/lists.ts';
import { signInView } from './views/signin.ts';
import { uploadView } from './views/upload.ts';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;

let leave: Cleanup | null = null;
let first = true;

function section(hash: string): { view: string; id: string | null } {
  const [, view = 'lists', id = ''] = hash.split('/');
  let decoded: string | null = null;
  try {
    decoded = id === '' ? null : decodeURIComponent(id);
  } catch {
    decoded = id;
  }
  return { view: view || 'lists', id: decoded };
}

function showSignIn(notice: string | null): void {
  leave?.();
  leave = null;
  nav.hidden = true;
  signOut.hidden = true;
  document.title = 'Sign in · listclean';
  // Once signed in, the view asked for (or the lists) opens, focus on its heading.
  first = false;
  signInView(main, notice, route);
}

function route(): void {
  const hash = location.hash;
  // In-page anchors (the skip link) are not views.
  if (hash !== '' && !hash.startsWith('#/')) return;
  if (storedKey() === null) {
    showSignIn(null);
    return;
  }
  leave?.();
  nav.hidden = false;
  signOut.hidden = false;
  const { view, id } = section(hash);
  for (const link of nav.querySelectorAll('a')) {
    const current = link.getAttribute('href') === `#/${view}`;
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const titles: Record<string, string> = {
    lists: 'Lists',
    upload: 'Upload',
    check: 'Check an address',
  };
  document.title = `${titles[view] ?? 'List'} · listclean`;
  if (view === 'lists' && id !== null) leave = listView(main, id);
  else if (view === 'upload') leave = uploadView(main);
  else if (view === 'check') leave = checkView(main);
  else leave = listsView(main);
  // A new view takes the focus to its heading, so keyboard and screen reader users start there.
  if (!first || hash !== '') main.querySelector<HTMLElement>('h1')?.focus();
  first = false;
}

signOut.addEventListener('click', () => {
  storeKey(null);
  history.replaceState(null, '', '#/');
  showSignIn('Signed out. The key is forgotten in this tab.');
});

whenUnauthorized((error: ApiError) => {
  storeKey(null);
  showSignIn(`Signed out: ${error.message}`);
});

// A file dropped outside the upload area must not replace the console with the file.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());
window.addEventListener('hashchange', route);
route();
