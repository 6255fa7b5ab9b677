/**
 * SPF macros (RFC 7208 §7): `%{i}`, `%{ir}.%{v}._spf.%{d2}`, `%%`, `%_`, `%-`. Only what a
 * domain-spec may hold is expanded; `c`, `r` and `t` belong to explanations, which the doctor
 * never builds.
 */
import ipaddr from 'ipaddr.js';
import { nibbles } from '../ip.ts';
import { SpfSyntaxError } from './syntax-error.ts';

export interface MacroContext {
  /** `<sender>`: the MAIL FROM address (`postmaster@domain` when it has no local part). */
  sender: string;
  /** `<domain>` of the record being evaluated. */
  domain: string;
  /** The client address. */
  ip: string;
  /** The HELO/EHLO name. */
  helo: string;
}

const MACRO = /%(?:\{([a-zA-Z])(\d*)(r?)([.\-+,/_=]*)\}|([%_-]))/y;
const DOMAIN_LETTERS = 'slodiphv';
const EXPLANATION_LETTERS = 'crt';

/**
 * Throws `SpfSyntaxError` unless every `%` starts a well-formed macro (§7.1) with a letter the
 * place allows (`c`, `r`, `t` only in an explanation).
 */
export function checkMacroString(text: string, where: string, explanation = false): void {
  scan(text, where, () => '', explanation ? DOMAIN_LETTERS + EXPLANATION_LETTERS : DOMAIN_LETTERS);
}

/**
 * The domain a domain-spec names for `ctx`, without a trailing dot; longer than 253 characters,
 * its left-most labels are dropped until it fits (§7.3).
 */
export function expandDomainSpec(spec: string, ctx: MacroContext): string {
  let name = scan(spec, spec, (letter) => macroValue(letter, ctx), DOMAIN_LETTERS).replace(
    /\.$/,
    '',
  );
  while (name.length > 253 && name.includes('.')) name = name.slice(name.indexOf('.') + 1);
  return name;
}

function scan(
  text: string,
  where: string,
  value: (letter: string) => string,
  letters: string,
): string {
  let out = '';
  let at = 0;
  while (at < text.length) {
    const percent = text.indexOf('%', at);
    if (percent === -1) {
      out += text.slice(at);
      break;
    }
    out += text.slice(at, percent);
    MACRO.lastIndex = percent;
    const m = MACRO.exec(text);
    if (m === null)
      throw new SpfSyntaxError(
        `"${where}" has a malformed macro at "${text.slice(percent, percent + 8)}"`,
      );
    at = MACRO.lastIndex;
    const [, letter, digits = '', reverse, delimiters = '', literal] = m;
    if (literal !== undefined) {
      out += literal === '%' ? '%' : literal === '_' ? ' ' : '%20';
      continue;
    }
    const lower = (letter ?? '').toLowerCase();
    if (!letters.includes(lower)) {
      throw new SpfSyntaxError(`"${where}" uses the macro letter "${letter}", not allowed there`);
    }
    if (digits !== '' && Number(digits) === 0) {
      throw new SpfSyntaxError(`"${where}" keeps 0 parts in a macro; the number must be nonzero`);
    }
    const raw = value(lower);
    const split = new RegExp(`[${escapeClass(delimiters || '.')}]`);
    let parts = raw.split(split);
    if (reverse) parts = parts.reverse();
    if (digits !== '') parts = parts.slice(-Number(digits));
    const expanded = parts.join('.');
    out += letter === lower ? expanded : urlEscape(expanded);
  }
  return out;
}

function macroValue(letter: string, ctx: MacroContext): string {
  const at = ctx.sender.lastIndexOf('@');
  const local = at > 0 ? ctx.sender.slice(0, at) : 'postmaster';
  const senderDomain = at >= 0 ? ctx.sender.slice(at + 1) : ctx.sender;
  const client = ipaddr.process(ctx.ip);
  switch (letter) {
    case 's':
      return `${local}@${senderDomain}`;
    case 'l':
      return local;
    case 'o':
      return senderDomain;
    case 'd':
      return ctx.domain;
    case 'i':
      return client.kind() === 'ipv4' ? client.toString() : nibbles(client as ipaddr.IPv6);
    case 'v':
      return client.kind() === 'ipv4' ? 'in-addr' : 'ip6';
    case 'h':
      return ctx.helo;
    case 'p':
      // §7.3 allows "unknown"; validating the client's PTR for a macro is discouraged anyway.
      return 'unknown';
    default:
      return '';
  }
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

/** RFC 3986 escaping of everything but the unreserved characters. */
function urlEscape(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
