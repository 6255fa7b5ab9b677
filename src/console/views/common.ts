/** Pieces every view uses: headings, error boxes, status badges, polling. */
import { ApiError } from '../api.ts';
import { h, replace } from '../dom.ts';

/** A view draws itself into `main` and returns what stops its timers when it is left. */
export type Cleanup = () => void;

/** The view's heading, focusable so navigation can move focus to it. */
export function heading(text: string): HTMLHeadingElement {
  return h('h1', { tabindex: -1 }, text);
}

/** The server's words for a failure (or the browser's, when the server was not reached). */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    return error.code.startsWith('http_') || error.code === 'network'
      ? error.message
      : `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** An alert region, there from the start so screen readers announce what is put in it. */
export function errorBox(): { element: HTMLElement; show(error: unknown): void; clear(): void } {
  const element = h('div', { role: 'alert', class: 'alert-slot' });
  return {
    element,
    show(error) {
      replace(element, h('p', { class: 'error' }, describe(error)));
    },
    clear() {
      replace(element);
    },
  };
}

const STATUS_WORDS: Record<string, string> = {
  queued: 'Queued',
  ingesting: 'Reading the file',
  verifying: 'Verifying',
  aggregating: 'Writing the reports',
  done: 'Done',
  failed: 'Failed',
};

export function statusWords(status: string): string {
  return STATUS_WORDS[status] ?? status;
}

export function badge(status: string): HTMLElement {
  return h('span', { class: `badge badge-${status}` }, statusWords(status));
}

export const finished = (status: string): boolean => status === 'done' || status === 'failed';

/**
 * Calls `tick` now and then every `ms` after each call settles, until stopped; `tick` returns
 * false to stop by itself. Errors go to `onError` and polling goes on.
 */
export function poll(
  tick: () => Promise<boolean | undefined>,
  ms: number,
  onError: (error: unknown) => void,
): Cleanup {
  let stopped = false;
  let timer: number | undefined;
  const run = async () => {
    let again = true;
    try {
      again = (await tick()) !== false;
    } catch (error) {
      onError(error);
    }
    if (!stopped && again) timer = window.setTimeout(run, ms);
  };
  void run();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

const working = new WeakSet<HTMLButtonElement>();

/**
 * A busy button: its text swapped for `busyText` and marked aria-disabled while `work` runs;
 * clicks meanwhile are ignored (undefined). Not `disabled`, which would drop keyboard focus.
 */
export async function busy<T>(
  button: HTMLButtonElement,
  busyText: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  if (working.has(button)) return undefined;
  working.add(button);
  const text = button.textContent;
  button.setAttribute('aria-disabled', 'true');
  button.textContent = busyText;
  try {
    return await work();
  } finally {
    working.delete(button);
    button.removeAttribute('aria-disabled');
    button.textContent = text;
  }
}

/** A definition list from label/value pairs (values may be nodes). */
export function facts(
  pairs: Array<[string, Node | string]>,
  className = 'facts',
): HTMLDListElement {
  const list = h('dl', { class: className });
  for (const [term, value] of pairs)
    list.append(h('div', {}, h('dt', {}, term), h('dd', {}, value)));
  return list;
}
