/**
 * Generates examples/contacts.csv, the demo's list: ~1,000 rows over the domains of
 * examples/sandbox-scenario.yaml, with the quirks of real CRM exports — a UTF-8 BOM, semicolon
 * delimiter, mixed-case and duplicate addresses, blank and junk values, a formula-injection
 * attempt, accented names, and one broken row; and examples/contacts.xlsx, its first 100 rows as a
 * workbook. Deterministic: `npx tsx examples/make-contacts.ts`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import writeExcelFile from 'write-excel-file/node';
import { loadScenario } from '../src/sandbox/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** mulberry32: a tiny seeded PRNG so the file is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(20261128);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const FIRST = ['Ana', 'Björn', 'Chloé', 'Dmitri', 'Eve', 'François', 'Greta', 'Hiro', 'Inés', 'Jon'];
const LAST = ['Müller', 'Ng', 'Okafor', 'Pérez', 'Quinn', 'Rossi', 'Søndergaard', 'Tanaka', 'Usman'];
/** `Søndergaard` → `sondergaard`: local parts stay ASCII, as most mail systems need. */
const ascii = (name: string) =>
  name.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/ø/g, 'o');
const SOURCES = ['webinar', 'trade show', 'newsletter', 'import 2023', 'partner'];

async function main(): Promise<void> {
  const scenario = await loadScenario(path.join(here, 'sandbox-scenario.yaml'));
  const emails: string[] = [];
  const healthy = Object.entries(scenario.domains).filter(([, d]) => (d.mailboxes?.length ?? 0) >= 20);
  const quirky = Object.entries(scenario.domains).filter(([, d]) => (d.mailboxes?.length ?? 0) < 20);
  for (let i = 0; i < 760; i++) {
    const [domain, spec] = pick(healthy);
    // Four in five exist; the rest bounce.
    const local = random() < 0.8 ? pick(spec.mailboxes ?? ['x']) : `former.${ascii(pick(LAST))}${i}`;
    emails.push(`${local}@${domain}`);
  }
  const quirkyAddresses = quirky.flatMap(([domain, spec]) =>
    [...(spec.mailboxes ?? []), ...(spec.disabled ?? []), ...(spec.full ?? []), 'someone', 'info'].map(
      (local) => `${local}@${domain}`,
    ),
  );
  // Every quirky address once, so every verdict shows up; then more of them at random.
  emails.push(...quirkyAddresses);
  while (emails.length < 930) emails.push(pick(quirkyAddresses));
  emails.push('jane.doe@gmial.com', 'someone@no-such-domain-here.com', 'ceo@oldcorp.example');
  // Duplicates, as exports have them: the same person twice, differently cased.
  for (let i = 0; i < 40; i++) {
    const original = pick(emails);
    emails.push(random() < 0.5 ? original.toUpperCase() : original);
  }
  // Shuffle (Fisher–Yates) so quirks are spread through the list.
  for (let i = emails.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [emails[i], emails[j]] = [emails[j] as string, emails[i] as string];
  }
  const junk = ['', 'n/a', 'john.doe@', 'no email', '"quoted local"@acme-corp.com', 'x@y'];
  const rows: string[][] = emails.map((email, i) => [
    pick(FIRST),
    pick(LAST),
    i % 97 === 13 ? pick(junk) : i % 5 === 0 ? ` ${email} ` : email,
    i === 42 ? '=HYPERLINK("http://evil.example","Click")' : `Company ${i % 37}`,
    pick(SOURCES),
  ]);
  const header = ['First Name', 'Last Name', 'E-Mail Address', 'Company', 'Lead Source'];
  const body = stringify([header, ...rows], { delimiter: ';', record_delimiter: 'windows' });
  const lines = body.split('\r\n');
  // One broken row, the way a hand-edited export breaks: an unbalanced quote.
  lines.splice(500, 0, 'Broken;"Row;broken.row@northwind.com;Company;webinar');
  await writeFile(path.join(here, 'contacts.csv'), `\uFEFF${lines.join('\r\n')}`);
  process.stdout.write(`examples/contacts.csv: ${lines.length - 2} data rows\n`);
  // The same contacts as an Excel export would have them (the README's .xlsx upload): the first
  // 100 rows, on the first sheet.
  const sheet = [header, ...rows.slice(0, 100)];
  await writeExcelFile(sheet.map((row) => row.map((value) => ({ value }))), {
    sheet: 'Contacts',
  }).toFile(path.join(here, 'contacts.xlsx'));
  process.stdout.write('examples/contacts.xlsx: 100 data rows\n');
}

await main();
