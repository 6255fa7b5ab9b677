/**
 * The domain (after the `@`): an RFC 5321 Domain of LDH labels, IDNs converted to punycode with
 * UTS #46 (the `tr46` library, the one behind the WHATWG URL parser, used directly so the rules
 * do not change with the Node version: Node 24's `domainToASCII` lets invalid `xn--` labels
 * through). Address literals are refused: there is no MX to verify them by.
 */
import { type Options, toASCII, toUnicode } from 'tr46';
import { type AddressRejection, reject } from './errors.ts';

/**
 * IDNA 2008 as registries apply it (UTS #46 nontransitional, STD3 rules, hyphen, joiner and
 * bidi checks), and punycode that does not decode is an error, never passed through.
 */
const IDNA: Options = {
  checkBidi: true,
  checkHyphens: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
  ignoreInvalidPunycode: false,
};

export type DomainResult = { ok: true; ascii: string; unicode: string } | AddressRejection;

const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const LDH = /^[a-z0-9-]+$/;
const DIGITS = /^[0-9]+$/;
/** ASCII that may appear in a domain before IDNA mapping. */
const DOMAIN_ASCII = /^[A-Za-z0-9.-]$/;

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) >= 0x80) return false;
  }
  return true;
}

/** Quotes user text for a message, cut short so a pasted paragraph stays readable. */
function shown(text: string): string {
  const chars = Array.from(text);
  return JSON.stringify(chars.length > 80 ? `${chars.slice(0, 77).join('')}…` : text);
}

function invalid(message: string): AddressRejection {
  return reject('invalid_domain', message);
}

/** The first character no domain may contain, as a rejection. */
function screenAscii(raw: string): AddressRejection | null {
  let position = 0;
  for (const char of raw) {
    position += 1;
    if (char.charCodeAt(0) >= 0x80 || DOMAIN_ASCII.test(char)) continue;
    if (char === ' ') {
      return reject('whitespace', `the domain has a space at character ${position}: remove it`);
    }
    return invalid(
      `the domain has "${char}" at character ${position}; a domain has only letters, digits, ` +
        'hyphens and dots: check the address',
    );
  }
  return null;
}

/** RFC 1035/1123 host name rules on the ASCII form, plus RFC 3696's non-numeric TLD. */
function checkHostname(ascii: string): AddressRejection | null {
  if (ascii === '') return invalid('the domain is empty: add it, e.g. example.com');
  if (ascii.length > MAX_DOMAIN_LENGTH) {
    return invalid(`the domain is ${ascii.length} characters long; the maximum is 253`);
  }
  const labels = ascii.split('.');
  if (labels.length < 2) {
    return invalid(`the domain ${shown(ascii)} has no dot: a mail domain looks like example.com`);
  }
  for (const label of labels) {
    if (label === '') {
      return invalid(
        `the domain ${shown(ascii)} has an empty label (a leading dot or two dots in a row)`,
      );
    }
    if (label.length > MAX_LABEL_LENGTH) {
      return invalid(`the domain label ${shown(label)} is ${label.length} characters; max is 63`);
    }
    if (!LDH.test(label)) {
      return invalid(
        `the domain label ${shown(label)} may only contain letters, digits and hyphens`,
      );
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return invalid(`the domain label ${shown(label)} starts or ends with a hyphen`);
    }
  }
  const tld = labels[labels.length - 1] ?? '';
  if (DIGITS.test(tld)) {
    return invalid(
      `the top-level domain ${shown(tld)} is all digits: an IP address is not a mail domain`,
    );
  }
  return null;
}

export function normalizeDomain(raw: string): DomainResult {
  if (raw === '') {
    return reject('empty_domain', 'nothing after the "@": add the domain, e.g. name@example.com');
  }
  if (raw.startsWith('[')) {
    return reject(
      'domain_literal',
      `${shown(raw)} is an address literal: listclean verifies mailboxes through the domain's ` +
        'MX records, so use the domain name instead of an IP address',
    );
  }
  const screened = screenAscii(raw);
  if (screened) return screened;

  // ASCII needs only lower-casing; its labels are checked as LDH below like everything else.
  let ascii = isAscii(raw) ? raw.toLowerCase() : (toASCII(raw, IDNA) ?? '');
  if (ascii === '') {
    return invalid(`${shown(raw)} is not a valid internationalised domain name (IDNA)`);
  }
  // A fully qualified `example.com.` names the same domain; a sentence's full stop often
  // lands there too.
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1);

  const problem = checkHostname(ascii);
  if (problem) return problem;
  // Without a punycode label an LDH domain is its own Unicode form: no UTS #46 pass (it was a
  // tenth of a million-row list's CPU time).
  const punycode = ascii.split('.').some((label) => label.startsWith('xn--'));
  if (!punycode) return { ok: true, ascii, unicode: ascii };
  // Punycode labels must decode to a valid IDN, and encode back to themselves, or the domain
  // has two names.
  const unicode = toUnicode(ascii, IDNA);
  if (unicode.error || toASCII(unicode.domain, IDNA) !== ascii) {
    return invalid(`the domain ${shown(ascii)} has a punycode (xn--) label that is not valid`);
  }
  return { ok: true, ascii, unicode: unicode.error ? ascii : unicode.domain };
}
