/**
 * An SPF record's terms (RFC 7208 §4.6, §5, §6, the grammar of §12): directives in order, the
 * `redirect=` and `exp=` modifiers. Anything the grammar does not allow is a `SpfSyntaxError`,
 * which check_host turns into `permerror` as the RFC asks.
 */
import net from 'node:net';
import { checkMacroString } from './macro.ts';
import { SpfSyntaxError } from './syntax-error.ts';

export { SpfSyntaxError } from './syntax-error.ts';

export type Qualifier = '+' | '-' | '~' | '?';

export type Mechanism =
  | { kind: 'all' }
  | { kind: 'include' | 'exists'; domain: string }
  /** `domain` null: the current domain. */
  | { kind: 'a' | 'mx'; domain: string | null; cidr4: number; cidr6: number }
  | { kind: 'ptr'; domain: string | null }
  | { kind: 'ip4' | 'ip6'; address: string; prefix: number };

export interface Directive {
  qualifier: Qualifier;
  mechanism: Mechanism;
  /** The term as written, for evidence. */
  term: string;
}

export interface SpfRecord {
  directives: Directive[];
  redirect: string | null;
  exp: string | null;
}

/** §4.5: a TXT record is an SPF record when it starts with `v=spf1` and a space or its end. */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text);
}

const MODIFIER = /^([a-z][a-z0-9_.-]*)=(.*)$/i;
const DIRECTIVE = /^([+\-~?]?)([a-z][a-z0-9]*)(.*)$/i;
/** `[:domain-spec][/cidr4][//cidr6]`, the domain as short as the rest allows. */
const A_OR_MX = /^(?::(.*?))?(?:\/(\d+))?(?:\/\/(\d+))?$/s;
/** Lengths without leading zeros (§12: ip4-cidr-length, ip6-cidr-length). */
const CIDR = /^(0|[1-9]\d{0,2})$/;

export function parseSpfRecord(text: string): SpfRecord {
  if (!isSpfRecord(text)) throw new SpfSyntaxError('not an SPF record (no "v=spf1")');
  const record: SpfRecord = { directives: [], redirect: null, exp: null };
  for (const term of text.slice('v=spf1'.length).split(' ').filter(Boolean)) {
    const modifier = MODIFIER.exec(term);
    if (modifier) {
      parseModifier(record, term, (modifier[1] ?? '').toLowerCase(), modifier[2] ?? '');
      continue;
    }
    const directive = DIRECTIVE.exec(term);
    if (!directive) throw new SpfSyntaxError(`"${term}" is neither a mechanism nor a modifier`);
    const [, qualifier = '', name = '', rest = ''] = directive;
    record.directives.push({
      qualifier: (qualifier || '+') as Qualifier,
      mechanism: parseMechanism(term, name.toLowerCase(), rest),
      term,
    });
  }
  return record;
}

function parseModifier(record: SpfRecord, term: string, name: string, value: string): void {
  if (name === 'redirect' || name === 'exp') {
    if (record[name] !== null) throw new SpfSyntaxError(`"${name}=" appears more than once`);
    if (value === '') throw new SpfSyntaxError(`"${term}" names no domain`);
    checkMacroString(value, term);
    record[name] = value;
    return;
  }
  // §6: unknown modifiers are ignored, but must still be well-formed.
  checkMacroString(value, term, true);
}

function parseMechanism(term: string, name: string, rest: string): Mechanism {
  switch (name) {
    case 'all':
      if (rest !== '') throw new SpfSyntaxError(`"${term}": "all" takes no argument`);
      return { kind: 'all' };
    case 'include':
    case 'exists':
      return { kind: name, domain: domainSpec(term, /^:(.+)$/s.exec(rest)?.[1]) };
    case 'ptr': {
      if (rest === '') return { kind: 'ptr', domain: null };
      return { kind: 'ptr', domain: domainSpec(term, /^:(.+)$/s.exec(rest)?.[1]) };
    }
    case 'a':
    case 'mx': {
      const m = A_OR_MX.exec(rest);
      if (!m) throw new SpfSyntaxError(`"${term}" is not ${name}[:domain][/n][//n]`);
      const [, domain, cidr4, cidr6] = m;
      return {
        kind: name,
        domain: domain === undefined ? null : domainSpec(term, domain),
        cidr4: cidrLength(term, cidr4, 32),
        cidr6: cidrLength(term, cidr6, 128),
      };
    }
    case 'ip4':
    case 'ip6': {
      const m = /^:([^/]+)(?:\/(\d+))?$/.exec(rest);
      const version = name === 'ip4' ? 4 : 6;
      if (!m || net.isIP(m[1] ?? '') !== version) {
        throw new SpfSyntaxError(`"${term}" is not ${name}:<IPv${version} address>[/length]`);
      }
      return {
        kind: name,
        address: m[1] ?? '',
        prefix: cidrLength(term, m[2], version === 4 ? 32 : 128),
      };
    }
    default:
      throw new SpfSyntaxError(`"${term}" is not a known mechanism`);
  }
}

function domainSpec(term: string, spec: string | undefined): string {
  if (spec === undefined || spec === '') throw new SpfSyntaxError(`"${term}" names no domain`);
  checkMacroString(spec, term);
  return spec;
}

function cidrLength(term: string, text: string | undefined, max: number): number {
  if (text === undefined) return max;
  if (!CIDR.test(text) || Number(text) > max) {
    throw new SpfSyntaxError(`"${term}" has a prefix length outside 0–${max}`);
  }
  return Number(text);
}
