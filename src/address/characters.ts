/**
 * Character-level screening of a whole address, before any structure is read: control
 * characters (CR/LF would inject SMTP commands), invisible formatting characters, non-ASCII
 * whitespace and broken encodings are refused wherever they appear, quotes included.
 */
import { type AddressErrorCode, type AddressRejection, reject } from './errors.ts';

const CONTROL_NAMES = new Map<number, string>([
  [0x00, 'NUL'],
  [0x09, 'tab'],
  [0x0a, 'line feed'],
  [0x0b, 'vertical tab'],
  [0x0c, 'form feed'],
  [0x0d, 'carriage return'],
  [0x1b, 'escape'],
  [0x7f, 'DEL'],
  [0x85, 'next line'],
]);

const INVISIBLE_NAMES = new Map<number, string>([
  [0xad, 'soft hyphen'],
  [0x200b, 'zero-width space'],
  [0x200c, 'zero-width non-joiner'],
  [0x200d, 'zero-width joiner'],
  [0x200e, 'left-to-right mark'],
  [0x200f, 'right-to-left mark'],
  [0x202e, 'right-to-left override'],
  [0x2060, 'word joiner'],
  [0xfeff, 'byte order mark'],
]);

const WHITESPACE_NAMES = new Map<number, string>([
  [0x20, 'space'],
  [0xa0, 'non-breaking space'],
  [0x2028, 'line separator'],
  [0x2029, 'paragraph separator'],
  [0x202f, 'narrow non-breaking space'],
  [0x3000, 'ideographic space'],
  [0xfffd, 'replacement character'],
]);

const FORMAT_CHARACTER = /^\p{Cf}$/u;
const WHITESPACE = /^\p{White_Space}$/u;

/** `U+00A0` style, plus a readable name when we have one. */
export function describeCodePoint(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const name =
    CONTROL_NAMES.get(codePoint) ??
    INVISIBLE_NAMES.get(codePoint) ??
    WHITESPACE_NAMES.get(codePoint);
  return name === undefined ? hex : `${name} (${hex})`;
}

export function isControl(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
}

type Refusal = { code: AddressErrorCode; advice: string };

/** Why a non-ASCII or control character may not appear in an address, or null. */
function refusal(char: string, codePoint: number): Refusal | null {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
    return {
      code: 'invalid_encoding',
      advice: ', half of a UTF-16 surrogate pair: the text is corrupted; re-export it as UTF-8',
    };
  }
  if (codePoint === 0xfffd) {
    return {
      code: 'invalid_encoding',
      advice: ': the file was probably read with the wrong character set; re-export it as UTF-8',
    };
  }
  if (isControl(codePoint)) {
    return {
      code: 'control_character',
      advice:
        '; control characters (CR, LF, tab, NUL, …) are never part of an email address and ' +
        'could inject SMTP commands: remove it',
    };
  }
  if (FORMAT_CHARACTER.test(char)) {
    return {
      code: 'invisible_character',
      advice: '; it is invisible and not part of the address: retype the address without it',
    };
  }
  if (WHITESPACE.test(char)) {
    return { code: 'whitespace', advice: '; an email address contains no whitespace: remove it' };
  }
  return null;
}

/**
 * The first character that may not appear anywhere in an address, as a rejection; `null` when
 * there is none. A plain ASCII space passes: whether it is allowed depends on quoting, which the
 * structural parse decides. `what` names the text in messages ("the address", "the local part").
 */
export function screenCharacters(text: string, what: string): AddressRejection | null {
  let position = 0;
  for (const char of text) {
    position += 1;
    const codePoint = char.codePointAt(0) ?? 0;
    // Printable ASCII, the bulk of every list, needs no further look.
    if (codePoint >= 0x20 && codePoint < 0x7f) continue;
    const found = refusal(char, codePoint);
    if (found) {
      const at = `${what} has a ${describeCodePoint(codePoint)} at character ${position}`;
      return reject(found.code, `${at}${found.advice}`);
    }
  }
  return null;
}
