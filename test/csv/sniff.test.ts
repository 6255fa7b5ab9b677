import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { sniffCsv } from '../../src/csv/index.ts';
import { ListcleanError } from '../../src/errors.ts';

function errorOf(run: () => unknown): ListcleanError {
  try {
    run();
  } catch (error) {
    if (error instanceof ListcleanError) return error;
    throw error;
  }
  throw new Error('expected a ListcleanError');
}

const sniff = (text: string, column?: string) => sniffCsv(Buffer.from(text, 'utf8'), { column });

describe('sniffCsv: delimiters', () => {
  it.each([
    [',', 'name,email,company\nAnn,ann@example.com,Acme\nBob,bob@example.com,Beta\n'],
    [';', 'name;email;company\nAnn;ann@example.com;Acme, Inc\nBob;bob@example.com;Beta\n'],
    ['\t', 'name\temail\tcompany\nAnn\tann@example.com\tAcme, Inc\nBob\tbob@example.com\tBeta\n'],
    ['|', 'name|email|company\nAnn|ann@example.com|Acme; Inc\nBob|bob@example.com|Beta\n'],
  ])('finds %j', (delimiter, text) => {
    const layout = sniff(text);
    expect(layout.delimiter).toBe(delimiter);
    expect(layout.columns).toEqual(['name', 'email', 'company']);
    expect(layout.emailColumn).toBe(1);
  });

  it('ignores delimiters inside quotes', () => {
    const text = 'name;email\n"Doe, John; Jr";john@example.com\n"Roe, Jane";jane@example.com\n';
    expect(sniff(text).delimiter).toBe(';');
  });

  it('keeps a comma file with ragged rows over a notes column holding one ";" per row', () => {
    const rows = ['name,email,company,city,notes'];
    for (let i = 0; i < 20; i += 1) rows.push(`N${i},u${i}@example.com,Acme,Paris,call; then mail`);
    rows.push('Short,short@example.com', 'Also,also@example.com,Acme');
    expect(sniff(`${rows.join('\n')}\n`).delimiter).toBe(',');
  });

  it('reads a bare list of addresses as one column', () => {
    const layout = sniff('ann@example.com\nbob@example.com\nCAROL@Example.com\n');
    expect(layout).toMatchObject({ delimiter: ',', hasHeader: false, emailColumn: 0 });
    expect(layout.columns).toEqual(['column_1']);
  });

  it('reads a one-column list with a header', () => {
    const layout = sniff('Email\nann@example.com\nbob@example.com\n');
    expect(layout).toMatchObject({ hasHeader: true, columns: ['Email'], emailColumn: 0 });
  });
});

describe('sniffCsv: encodings', () => {
  it('detects a UTF-8 BOM and keeps it out of the column names', () => {
    const layout = sniffCsv(Buffer.from('\ufeffEmail,Name\nann@example.com,Ann\n', 'utf8'));
    expect(layout).toMatchObject({ encoding: 'utf8', bom: true, columns: ['Email', 'Name'] });
    expect(layout.emailColumn).toBe(0);
  });

  it('detects UTF-16LE with a BOM', () => {
    const bytes = iconv.encode('Name,Email\nZoë,zoe@example.com\n', 'utf16le', { addBOM: true });
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    const layout = sniffCsv(bytes);
    expect(layout).toMatchObject({ encoding: 'utf16le', bom: true, columns: ['Name', 'Email'] });
  });

  it('detects UTF-16BE with a BOM, and UTF-16LE without one by its NUL pattern', () => {
    const be = iconv.encode('Name\tEmail\nAnn\tann@example.com\n', 'utf16be', { addBOM: true });
    expect(sniffCsv(be)).toMatchObject({ encoding: 'utf16be', bom: true, delimiter: '\t' });
    const le = iconv.encode('Name;Email\nAnn;ann@example.com\n', 'utf16le');
    expect(sniffCsv(le)).toMatchObject({ encoding: 'utf16le', bom: false, delimiter: ';' });
  });

  it('reads a Latin-1 / windows-1252 file as windows-1252', () => {
    const bytes = iconv.encode(
      'Name;E-Mail\nMüller;müller@example.de\nGarçon;garcon@example.fr\n',
      'win1252',
    );
    const layout = sniffCsv(bytes);
    expect(layout).toMatchObject({ encoding: 'windows-1252', bom: false, delimiter: ';' });
    expect(layout.columns).toEqual(['Name', 'E-Mail']);
  });

  it('prefers UTF-8 whenever the bytes are valid UTF-8', () => {
    expect(sniff('Name,Email\nMüller,mueller@example.de\n').encoding).toBe('utf8');
  });

  it('accepts a 64 KiB sample cut in the middle of a UTF-8 character', () => {
    const body = 'Zoë Müller,zoe@example.com\n'.repeat(5000);
    const unpadded = Buffer.from(`Name,Email\n${body}`);
    // Pad the first row so that the sample's last byte is the first half of an "ë" or "ü".
    const lead = unpadded.lastIndexOf(0xc3, 64 * 1024 - 1);
    const bytes = Buffer.from(`Name,Email\n${'x'.repeat(64 * 1024 - 1 - lead)}${body}`);
    const sample = bytes.subarray(0, 64 * 1024);
    expect(sample.at(-1)).toBe(0xc3);
    expect(sniffCsv(sample)).toMatchObject({ encoding: 'utf8', emailColumn: 1 });
  });
});

describe('sniffCsv: line ends', () => {
  it('keeps LF when the first line ends in LF, else CRLF', () => {
    expect(sniff('email\na@example.com\n').lineEnding).toBe('lf');
    expect(sniff('email\r\na@example.com\r\n').lineEnding).toBe('crlf');
    expect(sniff('a@example.com').lineEnding).toBe('crlf');
    expect(sniff('email\ra@example.com\r').lineEnding).toBe('crlf');
  });
});

describe('sniffCsv: header', () => {
  it('has no header when the first row holds an address', () => {
    const layout = sniff('Ann,ann@example.com,Acme\nBob,bob@example.com,Beta\n');
    expect(layout.hasHeader).toBe(false);
    expect(layout.columns).toEqual(['column_1', 'column_2', 'column_3']);
    expect(layout.emailColumn).toBe(1);
  });

  it('takes a row of labels for a header even without an email name', () => {
    const layout = sniff(
      'Vorname,Kontakt,Firma\nAnn,ann@example.com,Acme\nBob,bob@example.com,Acme\n',
    );
    expect(layout).toMatchObject({ hasHeader: true, emailColumn: 1 });
    expect(layout.columns).toEqual(['Vorname', 'Kontakt', 'Firma']);
  });

  it('takes a first contact without an address for data, not for a header', () => {
    const rows = 'Ann,n/a,Acme\nBob,bob@example.com,Beta\nCid,cid@example.com,Gamma\n';
    expect(sniff(rows).hasHeader).toBe(false);
    const repeated = 'Ann,,Acme\nBob,bob@example.com,Acme\nCid,cid@example.com,Gamma\n';
    expect(sniff(repeated).hasHeader).toBe(false);
  });

  it('trims header names', () => {
    expect(sniff(' Name , Email \nAnn,ann@example.com\n').columns).toEqual(['Name', 'Email']);
  });
});

describe('sniffCsv: email column', () => {
  it.each([
    ['E-Mail', 'Name;E-Mail;Ort'],
    ['Email Address', 'First Name;Last Name;Email Address'],
    ['e_mail', 'id;name;e_mail'],
    ['Emailadresse', 'Navn;Emailadresse;By'],
    ['Courriel', 'Nom;Prénom;Courriel'],
    ['Adresse e-mail', 'Nom;Adresse e-mail;Ville'],
    ['Correo electrónico', 'Nombre;Correo electrónico;Ciudad'],
    ['Endereço de e-mail', 'Nome;Endereço de e-mail;Cidade'],
    ['Indirizzo email', 'Nome;Indirizzo email;Città'],
    ['Adres e-mail', 'Imię;Adres e-mail;Miasto'],
    ['メールアドレス', '名前;メールアドレス;会社'],
    ['Электронная почта', 'Имя;Электронная почта;Город'],
  ])('finds %s by its name', (name, header) => {
    const cells = header.split(';');
    const column = cells.indexOf(name);
    const row = cells.map((_, index) => (index === column ? 'ann@example.com' : 'x'));
    // Another column mentioning an address must not win over the named one.
    const other = cells.map((_, index) => (index === column ? 'bob@example.com' : 'ops@x.io y'));
    const layout = sniff(`${header}\n${row.join(';')}\n${other.join(';')}\n`);
    expect(layout.hasHeader).toBe(true);
    expect(layout.columns[layout.emailColumn]).toBe(name);
  });

  it('prefers the column named Email over opt-in flags and secondary columns', () => {
    const text = 'Email Opt In,Name,Work Email,Email\nyes,Ann,ann@work.example,ann@example.com\n';
    expect(sniff(text).emailColumn).toBe(3);
  });

  it('finds the column by content when no header names it', () => {
    const text = 'id,who,reach\n1,Ann,ann@example.com\n2,Bob,bob@example.com\n3,Cid,\n';
    expect(sniff(text).emailColumn).toBe(2);
  });

  it('keeps a column named Email whose sample values are all empty', () => {
    expect(sniff('Name,Email\nAnn,\nBob,\n').emailColumn).toBe(1);
  });

  it('takes --column by name (case-insensitive) or 1-based number', () => {
    const text = 'Name,Private,Work\nAnn,ann@example.com,ann@work.example\n';
    expect(sniff(text, 'work').emailColumn).toBe(2);
    expect(sniff(text, 'PRIVATE').emailColumn).toBe(1);
    expect(sniff(text, '3').emailColumn).toBe(2);
    expect(sniff('ann@example.com,ann@work.example\n', '2').emailColumn).toBe(1);
  });

  it('matches --column loosely when no name matches exactly', () => {
    expect(sniff('Name;E-Mail\nAnn;ann@example.com\n', 'e mail').emailColumn).toBe(1);
  });

  it('reads a header-only file as a layout with no rows to come', () => {
    expect(sniff('Name,Email\n')).toMatchObject({ hasHeader: true, emailColumn: 1 });
  });

  it('refuses an unknown --column, listing the columns', () => {
    const error = errorOf(() => sniff('Name,Email\nAnn,ann@example.com\n', 'Emial'));
    expect(error.code).toBe('column_not_found');
    expect(error.message).toContain('"Emial"');
    expect(error.message).toContain('1 "Name", 2 "Email"');
    const range = errorOf(() => sniff('Name,Email\nAnn,ann@example.com\n', '3'));
    expect(range.code).toBe('column_not_found');
    expect(range.message).toContain('2 column(s)');
    const headerless = errorOf(() => sniff('Ann,ann@example.com\n', 'email'));
    expect(headerless.message).toContain('no header row');
  });

  it('refuses a file with no plausible email column', () => {
    const error = errorOf(() => sniff('Name,Phone\nAnn,555-1234\nBob,555-9876\n'));
    expect(error.code).toBe('no_email_column');
    expect(error.message).toContain('"Name"');
    expect(error.message).toContain('column option');
  });
});

describe('sniffCsv: files that are not CSV', () => {
  it.each([
    [
      'an XLSX workbook',
      Buffer.concat([
        Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
        Buffer.from('[Content_Types].xml ... xl/workbook.xml xl/worksheets/sheet1.xml'),
      ]),
      'XLSX workbook',
    ],
    ['a PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\n'), 'PDF'],
    [
      'a legacy .xls',
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]),
      '.xls',
    ],
    ['a gzip file', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]), 'gzip'],
    ['an HTML page', Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>'), 'HTML'],
    ['UTF-8 text with NULs', Buffer.from('name,email\nann\u0000,ann@example.com\n'), 'NUL'],
  ])('refuses %s', (_, bytes, says) => {
    const error = errorOf(() => sniffCsv(bytes));
    expect(error.code).toBe('not_csv');
    expect(error.message).toContain(says);
  });

  it('says what to do with an XLSX workbook', () => {
    const xlsx = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.from('xl/workbook.xml')]);
    expect(errorOf(() => sniffCsv(xlsx)).message).toMatch(/XLSX workbook.*save it as "CSV UTF-8"/);
  });

  it('refuses random binary data', () => {
    let seed = 42;
    const bytes = Buffer.alloc(8192);
    for (let i = 0; i < bytes.length; i += 1) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      bytes[i] = seed >> 16;
    }
    expect(errorOf(() => sniffCsv(bytes)).code).toBe('not_csv');
  });

  it('refuses an empty file, blank lines, or a lone BOM as empty', () => {
    for (const bytes of [
      Buffer.alloc(0),
      Buffer.from('\n\r\n  \n'),
      Buffer.from([0xef, 0xbb, 0xbf]),
    ]) {
      expect(errorOf(() => sniffCsv(bytes)).code).toBe('empty_file');
    }
  });
});
