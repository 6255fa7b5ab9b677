/**
 * The provider policy (DESIGN §1, THROTTLE_POLICY): default limits plus overrides per MX
 * provider, and provider rules (skip the catch-all probe; a provider that accepts every
 * recipient at RCPT time is never reported `deliverable`). JSON or YAML, validated on load.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ListcleanError } from '../errors.ts';

const limits = z.object({
  /** SMTP sessions open at once towards the provider, across every worker process. */
  maxConcurrentSessions: z.number().int().min(1).max(1000),
  /** New connections per minute towards the provider, across every worker process. */
  connectionsPerMinute: z.number().int().min(1).max(100_000),
  maxRcptsPerSession: z.number().int().min(1).max(1000),
  maxRejectsPerSession: z.number().int().min(1).max(100),
});

const rule = limits.partial().extend({
  /**
   * Which MX hosts this rule covers: a provider key (`google.com`, the registrable domain of the
   * MX host) or a host glob (`*.mail.protection.outlook.com`).
   */
  match: z.string().min(1),
  skipCatchAllProbe: z.boolean().optional(),
  acceptsAllRecipients: z.boolean().optional(),
  /**
   * Give the provider a probe queue of its own, whose active jobs across every worker are capped
   * at its `maxConcurrentSessions`. Default: yes for a rule that names one provider or host (no
   * glob) and sets `maxConcurrentSessions`.
   */
  pool: z.boolean().optional(),
  /**
   * The egresses the provider may be probed from (SMTP_PROXIES names, SMTP_LOCAL_ADDRESSES
   * addresses); default: every one. Checked against the process's egresses at start-up.
   */
  egress: z.array(z.string().min(1)).min(1).optional(),
});

// Strict: a misspelt key (`maxConcurentSessions`) is an error, not a limit silently not applied.
const policySchema = z.strictObject({
  defaults: limits.partial().strict().optional(),
  providers: z.array(rule.strict()).default([]),
});

export type ProviderLimits = z.infer<typeof limits>;
export type ProviderRule = z.infer<typeof rule>;
export interface Policy {
  defaults: ProviderLimits;
  providers: ProviderRule[];
}

export const DEFAULT_LIMITS: ProviderLimits = {
  maxConcurrentSessions: 3,
  connectionsPerMinute: 60,
  maxRcptsPerSession: 50,
  maxRejectsPerSession: 8,
};

/** `base` supplies what the file leaves out (the env's per-session budgets, else built-ins). */
export function parsePolicy(
  value: unknown,
  source = 'policy',
  base: ProviderLimits = DEFAULT_LIMITS,
): Policy {
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new ListcleanError(
      'policy_invalid',
      `${source} is not a valid provider policy: ${problems.join('; ')}`,
    );
  }
  const overrides = Object.entries(parsed.data.defaults ?? {}).filter(([, v]) => v !== undefined);
  return {
    defaults: { ...base, ...Object.fromEntries(overrides) },
    providers: parsed.data.providers,
  };
}

export async function loadPolicy(
  path: string,
  base: ProviderLimits = DEFAULT_LIMITS,
): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ListcleanError(
      'policy_unreadable',
      `Cannot read THROTTLE_POLICY file ${path}: ${(error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ListcleanError(
      'policy_invalid',
      `${path} is not valid JSON/YAML: ${(error as Error).message}`,
    );
  }
  return parsePolicy(value, path, base);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Whether a rule makes its provider a probe pool (see src/policy/pools.ts). */
export function hasPool(rule: ProviderRule): boolean {
  return rule.pool ?? (!isGlob(rule.match) && rule.maxConcurrentSessions !== undefined);
}

/**
 * A pool's BullMQ queue name: `probe-` and the rule's match, lower-cased, every character but
 * `a-z 0-9 . -` written as `_` and its hex code (`*.l.google.com` → `probe-_2a.l.google.com`):
 * never a `:` (BullMQ's separator), and different matches never share a queue.
 */
export function poolQueueName(match: string): string {
  const safe = [...match.toLowerCase()]
    .map((char) => (/[a-z0-9.-]/.test(char) ? char : `_${char.codePointAt(0)?.toString(16)}`))
    .join('');
  return `probe-${safe}`;
}

export function isGlob(match: string): boolean {
  return match.includes('*') || match.includes('?');
}

/** A rule matches an MX host by glob, or names its provider key or the host itself. */
export function ruleMatches(rule: ProviderRule, mxHost: string, provider: string): boolean {
  if (isGlob(rule.match)) return globToRegExp(rule.match).test(mxHost);
  const match = rule.match.toLowerCase();
  return match === provider || match === mxHost.toLowerCase();
}

export interface ResolvedProviderPolicy {
  limits: ProviderLimits;
  skipCatchAllProbe: boolean;
  acceptsAllRecipients: boolean;
  /** The egresses it may be probed from; null: every one. */
  egress: string[] | null;
}

/** The limits and rules for one MX host; later matching rules override earlier ones. */
export function policyFor(
  policy: Policy,
  mxHost: string,
  provider: string,
): ResolvedProviderPolicy {
  const resolved: ResolvedProviderPolicy = {
    limits: { ...policy.defaults },
    skipCatchAllProbe: false,
    acceptsAllRecipients: false,
    egress: null,
  };
  for (const r of policy.providers) {
    if (!ruleMatches(r, mxHost, provider)) continue;
    const {
      match: _match,
      skipCatchAllProbe,
      acceptsAllRecipients,
      pool: _pool,
      egress,
      ...overrides
    } = r;
    Object.assign(
      resolved.limits,
      Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
    );
    if (skipCatchAllProbe !== undefined) resolved.skipCatchAllProbe = skipCatchAllProbe;
    if (acceptsAllRecipients !== undefined) resolved.acceptsAllRecipients = acceptsAllRecipients;
    if (egress !== undefined) resolved.egress = egress;
  }
  return resolved;
}

/**
 * Every `egress:` name of the policy must be an egress of this process (a SMTP_PROXIES name, a
 * SMTP_LOCAL_ADDRESSES address, or `default` when there is neither): a misspelt name would
 * otherwise leave a provider with no egress at all.
 */
export function checkPolicyEgresses(
  policy: Policy,
  known: readonly string[],
  source = 'policy',
): void {
  const problems: string[] = [];
  policy.providers.forEach((r, index) => {
    for (const name of r.egress ?? []) {
      if (!known.includes(name)) {
        problems.push(`providers.${index} (match ${r.match}): egress "${name}"`);
      }
    }
  });
  if (problems.length === 0) return;
  throw new ListcleanError(
    'policy_invalid',
    `${source} names egresses this process does not have: ${problems.join('; ')}. Egresses are the names of SMTP_PROXIES entries and the addresses of SMTP_LOCAL_ADDRESSES; this process has ${known.join(', ')}`,
  );
}
