/**
 * The email column: how it was chosen (header, content, given), and the refusal of a column in
 * which almost nothing looks like an address (fewer than one value in five), property-tested.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseEmailColumn, countAddresses, holdsAddresses } from '../../src/csv/email-column.ts';
import { isPlaceholder } from '../../src/csv/header.ts';
import { sniffCsv } from '../../src/csv/index.ts';
import { isListcleanError, type ListcleanError } from '../../src/errors.ts';

const sniff = (text: string, column?: string) => sniffCsv(Buffer.from(text, 'utf8'), { column });

function errorOf(run: () => unknown): ListcleanError {
  try {
    run();
  } catch (error) {
    if (isListcleanError(error)) return error;
    throw error;
  }
  throw new Error('expected a ListcleanError');
}

const CONTACTS = [
  'Name;E-mail;Notes;Phone',
  'Ann;ann@example.com;call back Monday;555-1234',
  'Bob;bob@example.com;prefers phone;555-9876',
  'Cid;cid@example.com;;555-0000',
  'Dee;dee@example.com;met at the fair;555-1111',
  '',
].join('\n');

describe('which column, and how it was chosen', () => {
  it('says header, content or given', () => {
    expect(sniff(CONTACTS)).toMatchObject({ emailColumn: 1, emailColumnSource: 'header' });
    expect(sniff('id,who,reach\n1,Ann,ann@example.com\n2,Bob,bob@example.com\n')).toMatchObject({
      emailColumn: 2,
      emailColumnSource: 'content',
    });
    expect(sniff('Ann,ann@example.com\nBob,bob@example.com\n')).toMatchObject({
      hasHeader: false,
      emailColumn: 1,
      emailColumnSource: 'content',
    });
    expect(sniff(CONTACTS, 'e-mail')).toMatchObject({ emailColumn: 1, emailColumnSource: 'given' });
    expect(sniff(CONTACTS, '2')).toMatchObject({ emailColumn: 1, emailColumnSource: 'given' });
  });
});

describe('a column that holds no addresses is refused', () => {
  it('refuses --column Notes, listing the columns and the one that holds addresses', () => {
    const error = errorOf(() => sniff(CONTACTS, 'Notes'));
    expect(error.code).toBe('column_has_no_addresses');
    expect(error.message).toContain('Column 3 "Notes" holds almost no email addresses');
    expect(error.message).toContain('0 of its first 3 value(s)');
    expect(error.message).toContain('Columns that look like they hold addresses: 2 "E-mail".');
    expect(error.message).toContain('1 "Name", 2 "E-mail", 3 "Notes", 4 "Phone"');
  });

  it('refuses a column given by number in a file without a header row', () => {
    const error = errorOf(() =>
      sniff('Ann,ann@example.com,555-1\nBob,bob@example.com,555-2\n', '3'),
    );
    expect(error.code).toBe('column_has_no_addresses');
    expect(error.message).toContain('Column 3 "column_3"');
    expect(error.message).toContain('2 "column_2"');
  });

  it('says so when no column holds addresses at all', () => {
    const error = errorOf(() => sniff('Name,Email\nAnn,call me\nBob,no thanks\n'));
    expect(error.code).toBe('column_has_no_addresses');
    expect(error.message).toContain('No column of the file looks like it holds addresses.');
  });

  it('keeps a column that holds addresses for only some contacts, placeholders aside', () => {
    const rows = ['Name,Email'];
    for (let i = 0; i < 30; i += 1)
      rows.push(`P${i},${i % 10 === 0 ? `p${i}@example.com` : 'n/a'}`);
    expect(sniff(`${rows.join('\n')}\n`)).toMatchObject({ emailColumn: 1 });
    expect(sniff(`${rows.join('\n')}\n`, 'Email')).toMatchObject({ emailColumn: 1 });
  });

  it('prefers a named column with addresses to one named first with almost none', () => {
    const text =
      'Email,Work Email\nnone given,ann@work.example\ncall,bob@work.example\nx y,cid@work.example\n';
    expect(sniff(text)).toMatchObject({ emailColumn: 1, emailColumnSource: 'header' });
  });
});

/** Text that never looks like an address (no `@`), and is no placeholder. */
const junk = fc
  .stringMatching(/^[A-Za-z0-9 .,;:!?-]{1,20}$/)
  .filter((value) => value.trim() !== '' && !isPlaceholder(value));
const address = fc.emailAddress();

describe('the threshold, by property', () => {
  it('refuses a given column exactly when fewer than one value in five is an address', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }),
        fc.infiniteStream(fc.tuple(address, junk)),
        (isAddress, values) => {
          const cells = isAddress.map((yes) => {
            const [mail, text] = values.next().value;
            return yes ? mail : text;
          });
          const sample = {
            columns: ['Name', 'Contact'],
            hasHeader: true,
            rows: cells.map((cell, i) => [`Person ${i}`, cell]),
          };
          const found = isAddress.filter(Boolean).length;
          const refused = found * 5 < cells.length;
          if (refused) {
            expect(() => chooseEmailColumn(sample, 'Contact')).toThrow(
              expect.objectContaining({ code: 'column_has_no_addresses' }),
            );
          } else {
            expect(chooseEmailColumn(sample, 'Contact')).toEqual({ index: 1, source: 'given' });
          }
          expect(holdsAddresses(countAddresses(sample.rows, 1))).toBe(!refused);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never counts empty cells or placeholders as values', () => {
    fc.assert(
      fc.property(
        fc.array(address, { minLength: 1, maxLength: 5 }),
        fc.array(fc.constantFrom('', '  ', 'n/a', 'N/A', '-', 'none', 'NULL', 'unknown'), {
          maxLength: 200,
        }),
        (addresses, blanks) => {
          const rows = [...addresses, ...blanks].map((cell) => [cell]);
          expect(countAddresses(rows, 0)).toEqual({
            found: addresses.length,
            values: addresses.length,
          });
          expect(chooseEmailColumn({ columns: ['Email'], hasHeader: true, rows }, '1').index).toBe(
            0,
          );
        },
      ),
    );
  });

  it('lists in its refusal every column that would have been taken', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.oneof(address, junk), { minLength: 4, maxLength: 4 }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 0, max: 3 }),
        (rows, given) => {
          const sample = { columns: ['A', 'B', 'C', 'D'], hasHeader: true, rows };
          const counts = sample.columns.map((_, column) => countAddresses(rows, column));
          const taken = counts.flatMap((count, column) =>
            count.found > 0 && holdsAddresses(count) ? [`${column + 1} "${'ABCD'[column]}"`] : [],
          );
          try {
            chooseEmailColumn(sample, String(given + 1));
            expect(holdsAddresses(counts[given] ?? { found: 0, values: 0 })).toBe(true);
          } catch (error) {
            expect(error).toMatchObject({ code: 'column_has_no_addresses' });
            const message = (error as Error).message;
            if (taken.length === 0) expect(message).toContain('No column of the file looks like');
            else expect(message).toContain(`hold addresses: ${taken.join(', ')}.`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
