/** The tenant's lists, newest first: status, counts and progress, searchable by name. */
import { api } from '../api.ts';
import { h, replace } from '../dom.ts';
import { count, dateTime } from '../format.ts';
import type { ListEntry } from '../types.ts';
import { STATUS_ORDER } from '../verdicts.ts';
import { badge, type Cleanup, errorBox, finished, heading, poll } from './common.ts';

const REFRESH_MS = 3000;

export function listsView(main: HTMLElement): Cleanup {
  const errors = errorBox();
  const search = h('input', {
    id: 'list-search',
    type: 'search',
    autocomplete: 'off',
    'aria-controls': 'lists',
  });
  const shown = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const items = h('ul', { id: 'lists', class: 'lists' });
  let lists: ListEntry[] | null = null;
  const cards = new Map<string, Card>();

  const draw = () => {
    if (lists === null) return;
    const wanted = search.value.trim().toLowerCase();
    const matching = lists.filter((list) => list.name.toLowerCase().includes(wanted));
    if (lists.length === 0) {
      replace(
        items,
        h(
          'li',
          { class: 'empty' },
          'No lists yet. ',
          h('a', { href: '#/upload' }, 'Upload one'),
          ' to clean it.',
        ),
      );
      replace(shown);
      return;
    }
    for (const list of matching) {
      const known = cards.get(list.id);
      if (known) known.update(list);
      else cards.set(list.id, card(list));
    }
    const wantedOrder = matching.map((list) => cards.get(list.id)?.element);
    const current = [...items.children];
    if (
      wantedOrder.length !== current.length ||
      wantedOrder.some((element, index) => element !== current[index])
    ) {
      replace(items, ...wantedOrder);
    }
    replace(
      shown,
      wanted === ''
        ? `${count(lists.length)} list(s), newest first.`
        : `${count(matching.length)} of ${count(lists.length)} list(s) match “${search.value.trim()}”.`,
    );
  };
  search.addEventListener('input', draw);

  replace(
    main,
    heading('Lists'),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'div',
        { class: 'field inline' },
        h('label', { for: 'list-search' }, 'Search by name'),
        search,
      ),
      h('a', { href: '#/upload', class: 'button primary' }, 'Upload a list'),
    ),
    errors.element,
    shown,
    items,
  );

  return poll(
    async () => {
      const answer = await api<{ lists: ListEntry[] }>('/v1/lists');
      lists = answer.lists;
      errors.clear();
      draw();
      // Refreshed while any list is still being worked on.
      return lists.some((list) => !finished(list.status));
    },
    REFRESH_MS,
    (error) => errors.show(error),
  );
}

interface Card {
  element: HTMLLIElement;
  update(list: ListEntry): void;
}

/**
 * A list's card, updated in place on each refresh (its link keeps keyboard focus); only the
 * status, counts and progress change.
 */
function card(list: ListEntry): Card {
  const progressId = `progress-${list.id}`;
  const status = h('span', {});
  const meta = h('p', { class: 'meta' });
  const label = h('label', { for: progressId });
  const bar = h('progress', { id: progressId });
  const counts = h('p', { class: 'counts' });
  const element = h(
    'li',
    { class: 'list-card' },
    h(
      'div',
      { class: 'list-head' },
      h('a', { href: `#/lists/${encodeURIComponent(list.id)}`, class: 'list-name' }, list.name),
      status,
    ),
    meta,
    h('div', { class: 'progress-line' }, label, bar),
    counts,
  );
  let last = '';
  const update = (next: ListEntry) => {
    const state = JSON.stringify(next);
    if (state === last) return;
    last = state;
    const { rows, unique, verified } = next.progress;
    replace(status, badge(next.status));
    replace(
      meta,
      `${count(rows)} rows · ${count(unique)} addresses · uploaded ${dateTime(next.created_at)}`,
    );
    replace(label, `Verified ${count(verified)} of ${count(unique)}`);
    bar.max = Math.max(unique, 1);
    bar.value = unique === 0 ? 0 : verified;
    const byStatus = next.by_status;
    counts.hidden = byStatus === null;
    replace(
      counts,
      byStatus
        ? STATUS_ORDER.map((name) => `${count(byStatus[name] ?? 0)} ${name}`).join(' · ')
        : '',
    );
  };
  update(list);
  return { element, update };
}
