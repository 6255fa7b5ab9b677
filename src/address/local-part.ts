/**
 * The local part (before the `@`): RFC 5321 Dot-string or Quoted-string, with RFC 6531's
 * UTF-8 extension, normalised to the one form we store, dedupe on and send in `RCPT TO`.
 */
import { screenCharacters } from './characters.ts';
import { type AddressRejection, reject } from './errors.ts';

/** RFC 5322 atext in ASCII, plus every non-ASCII character (RFC 6531 §3.3 UTF8-non-ascii). */
const ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u{80}-\\u{10FFFF}]+";
const DOT_STRING = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`, 'u');
const ATEXT = new RegExp(`^${ATOM}$`, 'u');

export type LocalPartResult = { ok: true; local: string } | AddressRejection;

export function isDotString(text: string): boolean {
  return DOT_STRING.test(text);
}

/**
 * Lower-case (the local part is our dedupe key and providers are case-insensitive in practice)
 * and NFC, repeated until stable: one round of either can undo the other on rare characters,
 * and the result must be a fixed point so that normalising twice equals normalising once.
 */
function foldCase(text: string): string | null {
  let current = text;
  for (let round = 0; round < 4; round += 1) {
    const next = current.toLowerCase().normalize('NFC');
    if (next === current) return current;
    current = next;
  }
  return null;
}

/** Says why `text` is not a Dot-string, naming the offending dot or character. */
function explainDotString(text: string, note: string): AddressRejection {
  if (text.startsWith('.')) {
    return reject('invalid_local', `the local part starts with a dot${note}: remove it`);
  }
  if (text.endsWith('.')) {
    return reject('invalid_local', `the local part ends with a dot${note}: remove it`);
  }
  if (text.includes('..')) {
    return reject('invalid_local', `the local part has two dots in a row${note}: remove one`);
  }
  let position = 0;
  for (const char of text) {
    position += 1;
    if (char === '.' || ATEXT.test(char)) continue;
    if (char === ' ') {
      return reject(
        'whitespace',
        `the local part has a space at character ${position}${note}: remove it ` +
          '(only a quoted local part, like "john doe"@example.com, may contain spaces)',
      );
    }
    // Every non-ASCII character is atext, so what is left here is printable ASCII.
    return reject(
      'invalid_local',
      `the local part has "${char}" at character ${position}${note}, which is only allowed ` +
        'inside a quoted local part: remove it or check the address',
    );
  }
  return reject('invalid_local', `the local part is not valid${note}`);
}

function folded(text: string): { ok: true; text: string } | AddressRejection {
  const result = foldCase(text);
  if (result === null) {
    return reject('invalid_local', 'the local part has characters without a stable lower case');
  }
  // NFC can turn an allowed character into a forbidden one (U+037E becomes ";").
  return screenCharacters(result, 'the normalised local part') ?? { ok: true, text: result };
}

/** An unquoted local part, exactly as it appears before the `@`. */
export function normalizeDotString(raw: string): LocalPartResult {
  if (raw === '') {
    return reject(
      'empty_local',
      'nothing before the "@": add the mailbox name, e.g. name@example.com',
    );
  }
  if (!isDotString(raw)) return explainDotString(raw, '');
  const result = folded(raw);
  if (!result.ok) return result;
  if (!isDotString(result.text)) {
    return explainDotString(result.text, ' after Unicode normalisation');
  }
  return { ok: true, local: result.text };
}

export type QuotedRead = { ok: true; content: string; rest: string } | AddressRejection;

/**
 * Reads an RFC 5321 Quoted-string at the start of `text` (which begins with `"`): qtextSMTP and
 * RFC 6531 UTF-8 as is, `\` quoted-pairs of printable ASCII unescaped. Control characters were
 * screened out of the whole address before this runs.
 */
export function readQuotedString(text: string): QuotedRead {
  let content = '';
  let index = 1;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === '"') return { ok: true, content, rest: text.slice(index + 1) };
    if (char === '\\') {
      const escaped = text.charCodeAt(index + 1);
      if (Number.isNaN(escaped)) break;
      if (escaped < 0x20 || escaped > 0x7e) {
        return reject(
          'invalid_quoted',
          'a backslash in a quoted local part may only escape printable ASCII: remove it',
        );
      }
      content += text.charAt(index + 1);
      index += 2;
      continue;
    }
    content += char;
    index += 1;
  }
  return reject(
    'invalid_quoted',
    'the quoted local part has no closing quote: add the " before the "@" or remove the opening one',
  );
}

/**
 * Normalises the unescaped content of a quoted local part: unquoted when it is a valid
 * Dot-string ("john"@… becomes john@…), otherwise quoted with only `"` and `\` escaped.
 */
export function normalizeQuotedContent(content: string): LocalPartResult {
  if (content === '') {
    return reject('empty_local', 'the quoted local part "" is empty: add the mailbox name');
  }
  const result = folded(content);
  if (!result.ok) return result;
  if (isDotString(result.text)) return { ok: true, local: result.text };
  return { ok: true, local: `"${result.text.replace(/["\\]/g, '\\$&')}"` };
}
