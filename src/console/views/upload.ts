/**
 * Upload: pick or drop a CSV or .xlsx file, see what the server detects in it (POST
 * /v1/lists/preview: the same sniffer the upload uses), change the email column if need be,
 * set the options, then start (POST /v1/lists, with upload progress).
 */
import { send, upload } from '../api.ts';
import { h, replace } from '../dom.ts';
import { bytes, count } from '../format.ts';
import type { Preview } from '../types.ts';
import { busy, type Cleanup, errorBox, facts, heading } from './common.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** What the server's sniffer reads of a CSV; all a preview needs to send. */
const SAMPLE_BYTES = 64 * 1024;
/** The largest workbook the server reads. */
const MAX_WORKBOOK_BYTES = 16 * 1024 * 1024;

const DELIMITERS: Record<string, string> = {
  ',': 'comma (,)',
  ';': 'semicolon (;)',
  '\t': 'tab',
  '|': 'vertical bar (|)',
};
const ENCODINGS: Record<string, string> = {
  utf8: 'UTF-8',
  utf16le: 'UTF-16 (little-endian)',
  utf16be: 'UTF-16 (big-endian)',
  'windows-1252': 'Windows-1252 (Latin-1)',
};
const DETECTED: Record<string, string> = {
  header: 'found by its header',
  content: 'found by its values: most of them are addresses',
  given: 'as you chose',
};

async function isWorkbook(file: File): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  return zip || /\.xlsx$/i.test(file.name);
}

export function uploadView(main: HTMLElement): Cleanup {
  const errors = errorBox();
  const fileInput = h('input', {
    id: 'file',
    name: 'file',
    type: 'file',
    accept: `.csv,.tsv,.txt,.xlsx,text/csv,text/plain,${XLSX_TYPE}`,
    'aria-describedby': 'file-hint',
  });
  const dropzone = h(
    'div',
    { class: 'dropzone' },
    h('label', { for: 'file' }, 'CSV or Excel file'),
    fileInput,
    h(
      'p',
      { id: 'file-hint', class: 'hint' },
      'Drop the file here, or choose it. CSV of any size (semicolons, tabs, UTF-16 and Latin-1 ' +
        'are recognised), or an .xlsx workbook up to 16 MiB: its first sheet is cleaned.',
    ),
  );
  const detected = h('section', { 'aria-labelledby': 'detected-h', hidden: true });
  const options = h('section', { 'aria-labelledby': 'options-h', hidden: true });
  const status = h('div', { role: 'status', class: 'upload-status' });

  let file: File | null = null;
  let contentType = 'text/csv';
  let preview: Preview | null = null;
  /** The column the user picked (1-based); null: the detected one. */
  let chosen: number | null = null;
  let generation = 0;
  let left = false;

  const sample = (): Blob =>
    file === null ? new Blob([]) : contentType === XLSX_TYPE ? file : file.slice(0, SAMPLE_BYTES);

  async function ask(column: number | null): Promise<Preview> {
    const query = column === null ? '' : `?column=${column}`;
    const response = await send(`/v1/lists/preview${query}`, {
      method: 'POST',
      body: sample(),
      headers: { 'content-type': contentType },
    });
    return (await response.json()) as Preview;
  }

  async function choose(picked: File): Promise<void> {
    const mine = ++generation;
    errors.clear();
    file = picked;
    chosen = null;
    preview = null;
    detected.hidden = true;
    options.hidden = true;
    contentType = (await isWorkbook(picked)) ? XLSX_TYPE : 'text/csv';
    if (contentType === XLSX_TYPE && picked.size > MAX_WORKBOOK_BYTES) {
      errors.show(
        new Error(
          `This workbook is ${bytes(picked.size)}; listclean reads workbooks up to 16 MiB. ` +
            'Save the sheet as "CSV UTF-8" and upload that file instead.',
        ),
      );
      return;
    }
    replace(status, h('p', {}, `Looking at ${picked.name}…`));
    try {
      const answer = await ask(null);
      if (mine !== generation || left) return;
      preview = answer;
      replace(status);
      drawDetected();
      drawOptions(picked.name);
      detected.hidden = false;
      options.hidden = false;
      detected.querySelector('h2')?.focus();
    } catch (error) {
      if (mine !== generation || left) return;
      replace(status);
      errors.show(error);
    }
  }

  function columnNumber(): number | null {
    return chosen ?? preview?.email_column?.number ?? null;
  }

  function drawDetected(): void {
    if (preview === null) return;
    const p = preview;
    const select = h('select', { id: 'email-column', 'aria-describedby': 'email-column-note' });
    if (p.email_column === null && chosen === null) {
      select.append(h('option', { value: '', selected: true }, 'Choose the email column'));
    }
    p.columns.forEach((name, index) => {
      const number = index + 1;
      const holds = p.address_columns.includes(number) ? ' — holds addresses' : '';
      select.append(
        h(
          'option',
          { value: number, selected: number === columnNumber() },
          `${number} · ${name}${holds}`,
        ),
      );
    });
    select.addEventListener('change', () => {
      const number = Number(select.value);
      if (!Number.isInteger(number) || number < 1) return;
      chosen = number === preview?.email_column?.number && chosen === null ? null : number;
      void recheck(number);
    });
    const note = h('p', { id: 'email-column-note', class: 'hint' });
    const columnError = h('div', { role: 'alert', class: 'alert-slot' });
    const describeColumn = () => {
      if (preview?.email_column) {
        replace(
          note,
          `Column ${preview.email_column.number}, ${DETECTED[preview.email_column.detected] ?? preview.email_column.detected}.`,
        );
        replace(columnError);
      } else {
        replace(note, 'No column can be used as it is; choose the one with the addresses.');
        replace(
          columnError,
          h('p', { class: 'error' }, preview?.email_column_error?.message ?? 'No email column.'),
        );
      }
    };
    describeColumn();

    const table = h('div', {
      class: 'table-scroll',
      role: 'region',
      tabindex: 0,
      'aria-labelledby': 'rows-caption',
    });
    const drawTable = () => {
      const email = columnNumber();
      const rows = preview?.rows ?? [];
      replace(
        table,
        h(
          'table',
          { class: 'sample' },
          h('caption', { id: 'rows-caption' }, `The first ${count(rows.length)} rows`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...p.columns.map((name, index) =>
                h(
                  'th',
                  { scope: 'col', class: index + 1 === email ? 'email-col' : null },
                  name,
                  index + 1 === email ? h('span', { class: 'tag' }, 'email') : null,
                ),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...rows.map((row) =>
              h(
                'tr',
                {},
                ...row.map((cell, index) =>
                  h('td', { class: index + 1 === email ? 'email-col' : null }, cell),
                ),
              ),
            ),
          ),
        ),
      );
    };
    drawTable();

    async function recheck(number: number): Promise<void> {
      const mine = generation;
      try {
        const answer = await ask(number);
        if (mine !== generation || left) return;
        preview = { ...answer };
        describeColumn();
        drawTable();
        updateStart();
      } catch (error) {
        errors.show(error);
      }
    }

    replace(
      detected,
      h('h2', { id: 'detected-h', tabindex: -1 }, 'What the server found'),
      facts([
        ['File', `${file?.name ?? ''} (${bytes(file?.size ?? 0)})`],
        ['Format', p.format === 'xlsx' ? 'Excel workbook: its first sheet' : 'CSV'],
        [
          'Encoding',
          `${ENCODINGS[p.encoding] ?? p.encoding}${p.bom ? ', with byte-order mark' : ''}`,
        ],
        ['Delimiter', DELIMITERS[p.delimiter] ?? p.delimiter],
        ['Header row', p.has_header ? 'yes' : 'no: columns are numbered'],
        [
          'Rows looked at',
          p.truncated
            ? `${count(p.sample_rows)} in the first 64 KB`
            : `${count(p.sample_rows)} (the whole file)`,
        ],
      ]),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'email-column' }, 'Email column'),
        select,
        note,
      ),
      columnError,
      table,
    );
  }

  const startButton = h('button', { type: 'submit', class: 'primary' }, 'Start cleaning');
  const updateStart = () => {
    const blocked = preview?.email_column === null;
    startButton.setAttribute('aria-disabled', blocked ? 'true' : 'false');
  };

  function drawOptions(fileName: string): void {
    const name = h('input', { id: 'list-name', type: 'text', value: fileName, maxlength: 255 });
    const risky = h('input', { id: 'include-risky', type: 'checkbox' });
    const deadline = h('input', {
      id: 'deadline',
      type: 'text',
      inputmode: 'text',
      autocomplete: 'off',
      placeholder: 'e.g. 45m',
      'aria-describedby': 'deadline-hint',
    });
    const webhook = h('input', {
      id: 'webhook',
      type: 'url',
      autocomplete: 'off',
      placeholder: 'https://…',
      'aria-describedby': 'webhook-hint',
    });
    const progress = h('div', { class: 'upload-progress' });
    const form = h(
      'form',
      { class: 'card', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'list-name' }, 'List name'), name),
      h(
        'div',
        { class: 'field check' },
        risky,
        h(
          'label',
          { for: 'include-risky' },
          'Keep risky addresses (catch-all domains, full mailboxes, disposable) in cleaned.csv',
        ),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'deadline' }, 'Deadline'),
        deadline,
        h(
          'p',
          { id: 'deadline-hint', class: 'hint' },
          'How long verification may take, e.g. 45m or 2h; 0: none; empty: the server’s ' +
            'default. When it passes, addresses still waiting (greylisting, slow servers) get ' +
            'their last answer.',
        ),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'webhook' }, 'Webhook URL (optional)'),
        webhook,
        h(
          'p',
          { id: 'webhook-hint', class: 'hint' },
          'listclean POSTs a signed notice here when the list is done or failed.',
        ),
      ),
      startButton,
      progress,
    );
    updateStart();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (file === null || preview === null) return;
      if (preview.email_column === null) {
        errors.show(new Error('Choose the column that holds the email addresses first.'));
        return;
      }
      const query = new URLSearchParams();
      query.set('name', name.value.trim() || file.name);
      if (chosen !== null) query.set('column', String(chosen));
      if (risky.checked) query.set('include_risky', 'true');
      if (deadline.value.trim() !== '') query.set('deadline', deadline.value.trim());
      if (webhook.value.trim() !== '') query.set('webhook_url', webhook.value.trim());
      const bar = h('progress', { max: 100, value: 0, 'aria-label': 'Upload' });
      const said = h('span', {}, 'Uploading…');
      replace(progress, said, bar);
      errors.clear();
      const sending = file;
      void busy(startButton, 'Uploading…', async () => {
        try {
          const answer = await upload<{ id: string }>(
            `/v1/lists?${query}`,
            sending,
            contentType,
            (sent, total) => {
              const share = total > 0 ? Math.round((sent / total) * 100) : 0;
              bar.value = share;
              replace(said, `Uploading: ${share} % of ${bytes(total)}`);
            },
          );
          location.hash = `#/lists/${encodeURIComponent(answer.id)}`;
        } catch (error) {
          replace(progress);
          errors.show(error);
        }
      });
    });
    replace(options, h('h2', { id: 'options-h' }, 'Options'), form);
  }

  fileInput.addEventListener('change', () => {
    const [picked] = fileInput.files ?? [];
    if (picked) void choose(picked);
  });
  dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropzone.classList.add('dragging');
  });
  dropzone.addEventListener('dragleave', () => dropzone.classList.remove('dragging'));
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropzone.classList.remove('dragging');
    const [picked] = event.dataTransfer?.files ?? [];
    if (picked) void choose(picked);
  });

  replace(
    main,
    heading('Upload a list'),
    errors.element,
    h('section', { 'aria-labelledby': 'file-h' }, h('h2', { id: 'file-h' }, 'The file'), dropzone),
    status,
    detected,
    options,
  );
  return () => {
    left = true;
  };
}
