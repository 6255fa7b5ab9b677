/**
 * Syntax check and normalisation of one email address (DESIGN §2.1). Never throws: every input,
 * however hostile, becomes either a normalised address or a coded, actionable rejection.
 */
import { screenCharacters } from './characters.ts';
import { normalizeDomain } from './domain.ts';
import { type AddressErrorCode, reject } from './errors.ts';
import { normalizeDotString, normalizeQuotedContent, readQuotedString } from './local-part.ts';
import { utf8Length } from './utf8.ts';

export type AddressParse =
  | {
      ok: true;
      /** Normalised local part: lower case, NFC, quoted only when it has to be. */
      local: string;
      /** ASCII (punycode) lower-case domain, no trailing dot. */
      domain: string;
      /** The domain for display, IDN labels decoded. */
      domainUnicode: string;
      /** `local@domain`: the dedupe key and what `RCPT TO` sends. */
      normalized: string;
    }
  | { ok: false; code: AddressErrorCode; message: string };

/** RFC 5321 §4.5.3.1.1. */
const MAX_LOCAL_OCTETS = 64;
/** RFC 5321's 256-octet path minus the angle brackets (RFC 3696 erratum 1690). */
const MAX_ADDRESS_OCTETS = 254;
/**
 * Four times the limit: only pathological Unicode shrinks that much under normalisation, and
 * refusing it early keeps the work per row bounded whatever a spreadsheet cell holds.
 */
const MAX_INPUT_LENGTH = 1024;

/** Spreadsheets pad cells with spaces and tabs; nothing else is trimmed. */
function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start += 1;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end -= 1;
  return text.slice(start, end);
}

const MISSING_AT = 'there is no "@": an email address looks like name@example.com';

export function parseAddress(input: string): AddressParse {
  if (typeof input !== 'string') {
    return reject('empty', `expected the email address as text, got ${typeof input}`);
  }
  const text = trimBlanks(input);
  if (text === '') return reject('empty', 'the address is empty: fill it in or drop the row');

  const screened = screenCharacters(text, 'the address');
  if (screened) return screened;
  if (text.length > MAX_INPUT_LENGTH) {
    return reject(
      'address_too_long',
      `the address is ${text.length} characters long; an email address has at most 254`,
    );
  }

  let localResult: ReturnType<typeof normalizeDotString>;
  let domainRaw: string;
  if (text.startsWith('"')) {
    const quoted = readQuotedString(text);
    if (!quoted.ok) return quoted;
    if (quoted.rest === '') return reject('missing_at', MISSING_AT);
    if (!quoted.rest.startsWith('@')) {
      return reject(
        'invalid_quoted',
        'there is text between the closing quote and the "@": quote the whole local part, ' +
          'like "john doe"@example.com',
      );
    }
    localResult = normalizeQuotedContent(quoted.content);
    domainRaw = quoted.rest.slice(1);
  } else {
    const at = text.indexOf('@');
    if (at === -1) return reject('missing_at', MISSING_AT);
    localResult = normalizeDotString(text.slice(0, at));
    domainRaw = text.slice(at + 1);
  }
  if (!localResult.ok) return localResult;
  const { local } = localResult;

  if (domainRaw.includes('@')) {
    return reject(
      'multiple_at',
      'the address has more than one "@" (two addresses in one cell?): keep one address per row',
    );
  }
  const localOctets = utf8Length(local);
  if (localOctets > MAX_LOCAL_OCTETS) {
    return reject(
      'local_too_long',
      `the part before the "@" is ${localOctets} bytes long; the maximum is ${MAX_LOCAL_OCTETS}`,
    );
  }

  const domain = normalizeDomain(domainRaw);
  if (!domain.ok) return domain;

  const normalized = `${local}@${domain.ascii}`;
  const octets = utf8Length(normalized);
  if (octets > MAX_ADDRESS_OCTETS) {
    return reject(
      'address_too_long',
      `the address is ${octets} bytes long (domain in punycode); the maximum is ${MAX_ADDRESS_OCTETS}`,
    );
  }
  return { ok: true, local, domain: domain.ascii, domainUnicode: domain.unicode, normalized };
}
