/**
 * Why `parseAddress` rejected an input. Each code is stable (reports and scripts key on it) and
 * comes with a message that tells the list owner what to fix.
 */
export const ADDRESS_ERROR_CODES = [
  /** Nothing left after trimming surrounding spaces and tabs. */
  'empty',
  /** CR, LF, NUL, tab inside the address, any other C0/C1 control or DEL: SMTP injection risk. */
  'control_character',
  /** Zero-width spaces, bidi overrides, BOMs, soft hyphens: invisible, never typed on purpose. */
  'invisible_character',
  /** Broken UTF-16 or U+FFFD: the file was decoded with the wrong character set. */
  'invalid_encoding',
  /** A space outside quotes, or any non-ASCII whitespace (e.g. a non-breaking space). */
  'whitespace',
  'missing_at',
  'multiple_at',
  'empty_local',
  'empty_domain',
  /** Local part longer than 64 octets of UTF-8 (RFC 5321 §4.5.3.1.1). */
  'local_too_long',
  /** Address longer than 254 octets, counted with the punycode domain. */
  'address_too_long',
  /** Not a valid dot-atom: leading, trailing or double dots, or a character that needs quoting. */
  'invalid_local',
  /** A quoted local part that is not a valid RFC 5321 Quoted-string. */
  'invalid_quoted',
  'invalid_domain',
  /** `user@[1.2.3.4]`: valid RFC 5321, but there is no MX to verify it through. */
  'domain_literal',
] as const;

export type AddressErrorCode = (typeof ADDRESS_ERROR_CODES)[number];

export type AddressRejection = { ok: false; code: AddressErrorCode; message: string };

export function reject(code: AddressErrorCode, message: string): AddressRejection {
  return { ok: false, code, message };
}
