import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { layoutOf, readAll, sniffAndRead } from './read-helpers.ts';

describe('readCsvRows: rows as written', () => {
  it('reads every delimiter the sniffer knows', async () => {
    for (const delimiter of [',', ';', '\t', '|']) {
      const text = ['name', 'email', 'note'].join(delimiter);
      const rows = [text, ['Ann', 'ann@example.com', 'x'].join(delimiter)];
      const { layout, rows: read } = await sniffAndRead(`${rows.join('\n')}\n`);
      expect(layout.delimiter).toBe(delimiter);
      expect(read).toEqual([
        {
          index: 0,
          fields: ['Ann', 'ann@example.com', 'x'],
          extra: [],
          email: 'ann@example.com',
          malformed: null,
        },
      ]);
    }
  });

  it('keeps duplicates and mixed case exactly as given, in order', async () => {
    const text = 'Email\nAnn@Example.COM\nann@example.com\nann@example.com\n  bob@example.com \n';
    const { rows } = await sniffAndRead(text);
    expect(rows.map((row) => row.email)).toEqual([
      'Ann@Example.COM',
      'ann@example.com',
      'ann@example.com',
      '  bob@example.com ',
    ]);
    expect(rows.map((row) => row.index)).toEqual([0, 1, 2, 3]);
  });

  it('reads CRLF, LF and old-Mac CR line ends alike, and skips blank lines', async () => {
    const lines = ['name,email', 'Ann,ann@example.com', '', 'Bob,bob@example.com'];
    const expected = [
      ['Ann', 'ann@example.com'],
      ['Bob', 'bob@example.com'],
    ];
    for (const end of ['\r\n', '\n', '\r']) {
      const { rows } = await sniffAndRead(`${lines.join(end)}${end}${end}`);
      expect(rows.map((row) => row.fields)).toEqual(expected);
    }
    const { rows } = await sniffAndRead('name,email\r\nAnn,ann@example.com\nBob,bob@example.com');
    expect(rows.map((row) => row.fields)).toEqual(expected);
  });

  it('keeps line breaks, delimiters and quotes inside quoted fields', async () => {
    const text =
      'name,email,address\r\n' +
      '"Doe, John",john@example.com,"1 Main St\r\nSpringfield, ""IL"""\r\n' +
      'Ann,ann@example.com,"Line 1\nLine 2\nLine 3"\r\n';
    const { rows } = await sniffAndRead(text);
    expect(rows.map((row) => row.fields)).toEqual([
      ['Doe, John', 'john@example.com', '1 Main St\r\nSpringfield, "IL"'],
      ['Ann', 'ann@example.com', 'Line 1\nLine 2\nLine 3'],
    ]);
    expect(rows.every((row) => row.malformed === null)).toBe(true);
  });

  it('keeps formula-looking values verbatim (neutralising is the writer’s job)', async () => {
    const text =
      "name,email,note\n=cmd|' /C calc'!A0,ann@example.com,+1-2\n@SUM(A1),bob@example.com,-x\n";
    const { rows } = await sniffAndRead(text);
    expect(rows.map((row) => row.fields[0])).toEqual(["=cmd|' /C calc'!A0", '@SUM(A1)']);
    expect(rows.map((row) => row.fields[2])).toEqual(['+1-2', '-x']);
  });

  it('pads short rows and keeps the fields of long ones in extra, not malformed', async () => {
    const text = 'name,email,city\nAnn\nBob,bob@example.com,Paris,FR,EU\n';
    const { layout } = await sniffAndRead(text);
    // The sniffer names the fields beyond the header, so the reports keep them (issue 13).
    expect(layout.columns).toEqual(['name', 'email', 'city', 'column_4', 'column_5']);
    const rows = await readAll(text, { ...layout, columns: ['name', 'email', 'city'] });
    expect(rows).toEqual([
      { index: 0, fields: ['Ann', '', ''], extra: [], email: null, malformed: null },
      {
        index: 1,
        fields: ['Bob', 'bob@example.com', 'Paris'],
        extra: ['FR', 'EU'],
        email: 'bob@example.com',
        malformed: null,
      },
    ]);
  });

  it('keeps rows of empty fields or whitespace: rows, just without an address', async () => {
    const { rows } = await sniffAndRead('name,email\nAnn,ann@example.com\n,\n  \n');
    expect(rows.map((row) => row.fields)).toEqual([
      ['Ann', 'ann@example.com'],
      ['', ''],
      ['  ', ''],
    ]);
  });

  it('reads the first line as a row when there is no header', async () => {
    const { layout, rows } = await sniffAndRead('ann@example.com\nbob@example.com');
    expect(layout.hasHeader).toBe(false);
    expect(rows.map((row) => row.email)).toEqual(['ann@example.com', 'bob@example.com']);
  });

  it('reads the same rows whatever the chunk size', async () => {
    const text =
      '\ufeffname;email;note\r\n"Zoë ""Z"" Müller";zoe@example.com;"a\r\nb"\r\n' +
      'Ann;ann@example.com;"x;y"\r\n"broken;bad@example.com;z\r\nCid;cid@example.com;w\r\n';
    const whole = await sniffAndRead(text);
    expect(whole.rows).toHaveLength(4);
    for (const chunkSize of [1, 2, 3, 7, 64]) {
      expect(await readAll(text, whole.layout, { chunkSize })).toEqual(whole.rows);
    }
  });
});

describe('readCsvRows: encodings', () => {
  it('decodes windows-1252', async () => {
    const bytes = iconv.encode(
      'Name;E-Mail\nMüller;müller@example.de\nŒuvre €;oe@example.fr\n',
      'win1252',
    );
    const { layout, rows } = await sniffAndRead(bytes, { chunkSize: 5 });
    expect(layout.encoding).toBe('windows-1252');
    expect(rows.map((row) => row.fields)).toEqual([
      ['Müller', 'müller@example.de'],
      ['Œuvre €', 'oe@example.fr'],
    ]);
  });

  it('decodes UTF-16LE with a BOM, characters split across chunks included', async () => {
    const text = 'Name,Email\nZoë,zoe@example.com\n😀 Emoji,emoji@example.com\n';
    const bytes = iconv.encode(text, 'utf16le', { addBOM: true });
    const { layout, rows } = await sniffAndRead(bytes, { chunkSize: 3 });
    expect(layout).toMatchObject({ encoding: 'utf16le', bom: true, columns: ['Name', 'Email'] });
    expect(rows.map((row) => row.fields)).toEqual([
      ['Zoë', 'zoe@example.com'],
      ['😀 Emoji', 'emoji@example.com'],
    ]);
  });

  it('drops a UTF-8 BOM, even a doubled one, from a headerless file', async () => {
    const { rows } = await sniffAndRead('\ufeff\ufeffann@example.com\nbob@example.com\n', {
      chunkSize: 2,
    });
    expect(rows.map((row) => row.email)).toEqual(['ann@example.com', 'bob@example.com']);
  });

  it('decodes UTF-8 characters split across chunks', async () => {
    const { rows } = await sniffAndRead('name,email\nJürgen Müßig,j@example.de\n', {
      chunkSize: 1,
    });
    expect(rows[0]?.fields).toEqual(['Jürgen Müßig', 'j@example.de']);
  });
});

describe('readCsvRows: malformed rows', () => {
  it('keeps a row with an unbalanced quote as malformed and reads the rows after it', async () => {
    const lines = ['name,email'];
    for (let i = 0; i < 50; i += 1) lines.push(`N${i},u${i}@example.com`);
    lines.splice(4, 0, '"Acme, Inc,bad@example.com');
    lines.push('"Quoted",last@example.com');
    const { rows } = await sniffAndRead(`${lines.join('\n')}\n`);
    expect(rows).toHaveLength(52);
    expect(rows[3]).toMatchObject({
      index: 3,
      fields: ['"Acme, Inc,bad@example.com', ''],
      email: null,
    });
    expect(rows[3]?.malformed).toMatch(/unbalanced quote/);
    expect(rows[4]).toMatchObject({ fields: ['N3', 'u3@example.com'], malformed: null });
    expect(rows[51]).toMatchObject({ fields: ['Quoted', 'last@example.com'], malformed: null });
    expect(rows.filter((row) => row.malformed !== null)).toHaveLength(1);
  });

  it('gives up on a quote still open maxQuotedLines lines on, resuming on the next', async () => {
    const lines = ['name,email', 'Ann,"ann@example.com'];
    for (let i = 0; i < 300; i += 1) lines.push(`N${i},u${i}@example.com`);
    const rows = await readAll(`${lines.join('\n')}\n`, layoutOf(), { maxQuotedLines: 20 });
    expect(rows).toHaveLength(301);
    expect(rows[0]?.malformed).toMatch(/still open 20 lines further down/);
    expect(rows[0]?.fields).toEqual(['Ann,"ann@example.com', '']);
    expect(rows.slice(1).every((row) => row.malformed === null)).toBe(true);
    expect(rows[300]?.email).toBe('u299@example.com');
  });

  it('keeps a quoted field over maxFieldBytes as one malformed row', async () => {
    const lines = ['name,email', `"${'x\n'.repeat(400)}",big@example.com`, 'Bob,bob@example.com'];
    const rows = await readAll(`${lines.join('\n')}\n`, layoutOf(), {
      maxFieldBytes: 500,
      maxQuotedLines: 1000,
    });
    // The over-long field is given up on at its first line; the lines inside it become rows.
    expect(rows[0]?.malformed).toMatch(/still open after 500 bytes/);
    expect(rows.at(-1)).toMatchObject({ fields: ['Bob', 'bob@example.com'], malformed: null });
  });

  it('keeps a 10 MB field as one malformed row; the rows after it are intact', async () => {
    const huge = 'y'.repeat(10 * 1024 * 1024);
    const text = [
      'name,email',
      'Ann,ann@example.com',
      `"${huge}",huge@example.com`,
      'Bob,bob@example.com',
      huge,
      'Cid,cid@example.com',
      '',
    ].join('\n');
    const rows = await readAll(text, layoutOf());
    expect(rows.map((row) => row.malformed === null)).toEqual([true, false, true, false, true]);
    expect(rows[1]?.malformed).toBe('the row is longer than the 1 MiB limit');
    expect(rows[1]?.fields[0]).toBe(`"${'y'.repeat(1023)}`);
    expect(rows[3]?.fields[0]).toHaveLength(1024);
    expect(rows.map((row) => row.email)).toEqual([
      'ann@example.com',
      null,
      'bob@example.com',
      null,
      'cid@example.com',
    ]);
  });

  it('keeps an unclosed quote on the last line as malformed', async () => {
    const rows = await readAll('name,email\nAnn,ann@example.com\n"Bob,bob@example.com', layoutOf());
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ fields: ['"Bob,bob@example.com', ''], email: null });
    expect(rows[1]?.malformed).toMatch(/the file ends before it closes/);
  });
});
