/**
 * Checks a scenario (from a file, or from code written in plain JS) and returns a normalised copy:
 * domain and host names lower-case without a trailing dot. A bad scenario fails with the field
 * that is wrong, so a typo in a YAML file does not silently become default behaviour.
 */
import { z } from 'zod';
import { ListcleanError } from '../../errors.ts';
import type { HostBehavior, Scenario, ScenarioDomain } from './scenario.ts';

const BEHAVIORS: Record<HostBehavior, true> = {
  normal: true,
  tarpit: true,
  silent: true,
  'drop-after-banner': true,
  'drop-mid-session': true,
  garbage: true,
  'huge-line': true,
  drip: true,
  'banner-554': true,
  'banner-421': true,
  refuse: true,
};

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`, 'i');

const dnsName = z.string().max(254).regex(DNS_NAME, 'expected a DNS name like mx.example.com');
const count = z.number().int().min(0);
const duration = z.number().min(0);
const localParts = z.array(z.string().min(1)).optional();

/** One reply as a server sends it: a code, then one wire line per line, all with that code. */
const replyText = (codes: RegExp, example: string) =>
  z.string().refine((text) => {
    const lines = text.split('\n');
    const code = lines[0]?.slice(0, 3) ?? '';
    return (
      codes.test(code) &&
      lines.every((line, i) =>
        new RegExp(`^${code}${i === lines.length - 1 ? '( |$)' : '-'}[^\\r]*$`).test(line),
      )
    );
  }, `expected a reply like "${example}" (more lines: "550-…" then "550 …", one per line)`);
const refusal = replyText(/^[45]\d\d$/, '550 5.7.1 Access denied');

const domainSchema = z.strictObject({
  mx: z
    .array(z.strictObject({ host: dnsName, preference: count.max(65535).optional() }))
    .optional(),
  nullMx: z.boolean().optional(),
  a: z.array(z.ipv4()).optional(),
  aaaa: z.array(z.ipv6()).optional(),
  txt: z.array(z.string().max(4000)).optional(),
  implicitMx: z.boolean().optional(),
  servfail: z.boolean().optional(),
  dnsTimeout: z.boolean().optional(),
  mailboxes: localParts,
  catchAll: z.boolean().optional(),
  full: localParts,
  disabled: localParts,
  greylist: z
    .strictObject({ tries: z.number().int().min(-1).optional(), ms: duration.optional() })
    .optional(),
  unknownReply: z
    .string()
    .regex(/^[45]\d\d [^\r\n]*$/, 'expected one 4xx or 5xx reply line, e.g. "550 5.1.1 ..."')
    .optional(),
  policyBlock: z.boolean().optional(),
  replies: z
    .record(z.string().min(1), replyText(/^[245]\d\d$/, '550 5.1.1 User unknown'))
    .optional(),
});

const hostSchema = z.strictObject({
  ip: z
    .ipv4()
    .refine((ip) => ip.startsWith('127.'), 'the sandbox only listens on 127.0.0.0/8')
    .optional(),
  behavior: z.enum(Object.keys(BEHAVIORS) as [HostBehavior, ...HostBehavior[]]).optional(),
  latencyMs: duration.optional(),
  pipelining: z.union([z.boolean(), z.enum(['rejects', 'closes', 'out-of-step'])]).optional(),
  latencyModel: z.enum(['per-reply', 'round-trip']).optional(),
  starttls: z.literal([true, false, 'broken']).optional(),
  heloOnly: z.boolean().optional(),
  maxConcurrent: count.optional(),
  rateLimit: z.strictObject({ rcpts: count, windowMs: duration }).optional(),
  errorLimits: z
    .union([
      z.literal(false),
      z
        .strictObject({ soft: count, hard: count.min(1), sleepMs: duration })
        .refine((limits) => limits.soft <= limits.hard, 'soft must not exceed hard'),
    ])
    .optional(),
  blockSender: z.boolean().optional(),
  acceptAll: z.boolean().optional(),
  greeting: refusal.optional(),
  heloReply: refusal.optional(),
  mailReply: refusal.optional(),
  recipientLimit: count.min(1).optional(),
  hugeLineBytes: count
    .min(4)
    .max(64 * 1024 * 1024)
    .optional(),
});

const recordSchema = z
  .strictObject({
    name: dnsName,
    type: z.enum(['A', 'AAAA', 'TXT', 'PTR', 'MX']),
    value: z.string().min(1).max(4000),
    preference: count.max(65535).optional(),
  })
  .superRefine((record, ctx) => {
    const ok =
      record.type === 'A'
        ? z.ipv4().safeParse(record.value).success
        : record.type === 'AAAA'
          ? z.ipv6().safeParse(record.value).success
          : record.type === 'TXT' || DNS_NAME.test(record.value);
    if (!ok)
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `not a valid ${record.type} value`,
      });
  });

const scenarioSchema = z.strictObject({
  domains: z.record(dnsName, domainSchema),
  hosts: z.record(dnsName, hostSchema).optional(),
  latencyMs: duration.optional(),
  latencyModel: z.enum(['per-reply', 'round-trip']).optional(),
  dnsTtlSeconds: count.optional(),
  records: z.array(recordSchema).optional(),
});

/** Validates and normalises a whole scenario; `source` names it in errors (e.g. a file path). */
export function validateScenario(value: unknown, source: string): Scenario {
  const parsed = check(scenarioSchema, value, source, []);
  const domains: Scenario['domains'] = {};
  for (const [name, domain] of Object.entries(parsed.domains)) {
    const key = uniqueKey(domains, name, source, 'domains');
    if (domain.nullMx && domain.mx !== undefined && domain.mx.length > 0) {
      throw invalid(
        source,
        ['domains', name, 'nullMx'],
        'a null MX domain cannot also list MX hosts',
      );
    }
    domains[key] = normaliseDomain(domain);
  }
  const hosts: NonNullable<Scenario['hosts']> = {};
  const ips = new Map<string, string>();
  for (const [name, host] of Object.entries(parsed.hosts ?? {})) {
    const key = uniqueKey(hosts, name, source, 'hosts');
    if (host.ip !== undefined) {
      const other = ips.get(host.ip);
      if (other !== undefined) {
        throw invalid(
          source,
          ['hosts', name, 'ip'],
          `${host.ip} is already the address of ${other}`,
        );
      }
      ips.set(host.ip, name);
    }
    hosts[key] = host;
  }
  const records = parsed.records?.map((record) => ({
    ...record,
    name: normaliseName(record.name),
    ...(record.type === 'PTR' || record.type === 'MX'
      ? { value: normaliseName(record.value) }
      : {}),
  }));
  return { ...parsed, domains, hosts, ...(records ? { records } : {}) };
}

/** Validates and normalises the patch given to `SandboxWorld.updateDomain`. */
export function validateDomainPatch(
  name: string,
  patch: unknown,
): { name: string; patch: Partial<ScenarioDomain> } {
  const source = `updateDomain("${name}")`;
  check(dnsName, name, source, []);
  return {
    name: normaliseName(name),
    patch: normaliseDomain(check(domainSchema, patch, source, [])),
  };
}

function normaliseDomain<T extends Partial<ScenarioDomain>>(domain: T): T {
  if (domain.mx === undefined) return domain;
  return { ...domain, mx: domain.mx.map((mx) => ({ ...mx, host: normaliseName(mx.host) })) };
}

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function uniqueKey(seen: object, name: string, source: string, section: string): string {
  const key = normaliseName(name);
  if (Object.hasOwn(seen, key)) {
    throw invalid(source, [section, name], `"${key}" is listed twice (names are case-insensitive)`);
  }
  return key;
}

function check<T extends z.ZodType>(
  schema: T,
  value: unknown,
  source: string,
  at: PropertyKey[],
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw invalid(source, at, 'invalid scenario');
  const { path, message } = innermost(issue);
  throw invalid(source, [...at, ...path], message);
}

/** Record keys and unions wrap the real problem; dig it out so the message names the field. */
function innermost(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  let nested: z.core.$ZodIssue | undefined;
  if (issue.code === 'invalid_key') nested = issue.issues[0];
  if (issue.code === 'invalid_union') {
    // The branch that got furthest into the value is the one the author meant.
    const deepest = issue.errors
      .map((branch) => branch[0])
      .sort((a, b) => (b?.path.length ?? -1) - (a?.path.length ?? -1))[0];
    nested = deepest;
  }
  if (nested === undefined) return { path: issue.path, message: issue.message };
  const inner = innermost(nested);
  return { path: [...issue.path, ...inner.path], message: inner.message };
}

function invalid(source: string, path: PropertyKey[], message: string): ListcleanError {
  return new ListcleanError(
    'sandbox_scenario_invalid',
    `${source}: ${formatPath(path) || '(top level)'}: ${message}`,
  );
}

/** `domains["example.com"].mx[0].host`, the way a reader would find it in the file. */
function formatPath(path: PropertyKey[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const key = String(segment);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return index === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}
