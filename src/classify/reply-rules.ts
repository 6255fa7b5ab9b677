/**
 * Provider and MTA knowledge as data (DESIGN §2.8): `reply-rules.yaml` names which MX hosts
 * belong to which provider and lists reply rules — a match on provider, stage, code, enhanced
 * code and text, and the verdict it means — each with the public source it comes from. This
 * module validates the file and matches replies against it; the generic evidence rules decide
 * whatever no rule here matches.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { providerKey } from '../dns/provider.ts';
import { ListcleanError } from '../errors.ts';
import { REASON_STATUS, type Reason } from '../verdict/types.ts';
import type { Evidence } from './evidence.ts';
import { type Classification, type ReplyStage, SUBJECTS } from './types.ts';

const STAGES = ['banner', 'helo', 'mail', 'rcpt'] as const;

const sourceSchema = z
  .string()
  .regex(/^(https?:\/\/|github:)\S+$/, 'a URL or github:owner/repo/path');

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'ids are lower-case words joined by - or .'),
  /** A provider named under `providers`; absent: any MX (an MTA's own wording). */
  provider: z.string().optional(),
  stages: z.array(z.enum(STAGES)).min(1).optional(),
  codes: z.array(z.number().int().min(200).max(599)).min(1).optional(),
  /** `5.4.1` exactly, or a prefix ending in a dot: `5.7.`. */
  enhanced: z
    .string()
    .regex(/^[245](\.\d{1,3}){0,2}\.?$/, 'an enhanced code like 5.4.1, or a prefix like 5.7.')
    .optional(),
  /** Case-insensitive regular expression on the normalised text (addresses as `<address>`). */
  text: z.string().optional(),
  reason: z.enum(Object.keys(REASON_STATUS) as [Reason, ...Reason[]]),
  about: z.enum(SUBJECTS),
  retry: z.enum(['greylist', 'deferred', 'transient']).optional(),
  slowDown: z.boolean().optional(),
  breaker: z.boolean().optional(),
  /** The public page or source file this meaning is documented in. */
  source: sourceSchema,
});

const fileSchema = z.strictObject({
  providers: z.record(
    z.string().regex(/^[a-z0-9-]+$/),
    z.strictObject({
      mx: z.array(z.string().min(1)).min(1),
      /** The provider answers 250 to every RCPT TO: its "accepted" proves nothing. */
      acceptsAllRecipients: z.strictObject({ source: sourceSchema }).optional(),
    }),
  ),
  rules: z.array(ruleSchema),
});

type RuleSpec = z.infer<typeof ruleSchema>;

interface CompiledRule extends RuleSpec {
  pattern: RegExp | null;
}

export interface ReplyRules {
  /** Provider name → MX matchers: a provider key (`google.com`) or a host glob. */
  providers: ReadonlyMap<string, readonly string[]>;
  /** Providers that accept every recipient at RCPT time. */
  acceptsAll: ReadonlySet<string>;
  rules: readonly CompiledRule[];
}

function invalid(source: string, message: string): ListcleanError {
  return new ListcleanError('reply_rules_invalid', `${source}: ${message}`);
}

export function parseReplyRules(yamlText: string, source: string): ReplyRules {
  let value: unknown;
  try {
    value = parseYaml(yamlText);
  } catch (error) {
    throw invalid(source, `not valid YAML: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw invalid(source, problems.join('; '));
  }
  const entries = Object.entries(parsed.data.providers);
  const providers = new Map(entries.map(([name, p]) => [name, p.mx]));
  const acceptsAll = new Set(entries.filter(([, p]) => p.acceptsAllRecipients).map(([n]) => n));
  const ids = new Set<string>();
  const rules = parsed.data.rules.map((rule, index) => {
    const where = `rules[${index}] (${rule.id})`;
    if (ids.has(rule.id)) throw invalid(source, `${where}: the id is used twice`);
    ids.add(rule.id);
    if (rule.provider !== undefined && !providers.has(rule.provider)) {
      throw invalid(source, `${where}: provider "${rule.provider}" is not under providers`);
    }
    if (rule.codes === undefined && rule.enhanced === undefined && rule.text === undefined) {
      throw invalid(source, `${where}: give at least one of codes, enhanced, text`);
    }
    if (rule.retry !== undefined && REASON_STATUS[rule.reason] !== 'unknown') {
      throw invalid(source, `${where}: only an unknown reason can ask for a retry`);
    }
    let pattern: RegExp | null = null;
    try {
      pattern = rule.text === undefined ? null : new RegExp(rule.text, 'i');
    } catch (error) {
      throw invalid(
        source,
        `${where}: text is not a regular expression: ${(error as Error).message}`,
      );
    }
    return { ...rule, pattern };
  });
  // Provider rules outrank MTA rules: a provider's meaning holds only at its own MX.
  const scoped = rules.filter((r) => r.provider !== undefined);
  const anyMx = rules.filter((r) => r.provider === undefined);
  return { providers, acceptsAll, rules: [...scoped, ...anyMx] };
}

let bundled: ReplyRules | undefined;

/** The reviewed rules shipped with listclean (`reply-rules.yaml` next to this module). */
export function bundledReplyRules(): ReplyRules {
  if (!bundled) {
    const url = new URL('./reply-rules.yaml', import.meta.url);
    bundled = parseReplyRules(readFileSync(url, 'utf8'), 'reply-rules.yaml');
  }
  return bundled;
}

function globMatches(glob: string, host: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${pattern}$`, 'i').test(host);
}

/** The provider an MX host belongs to (`google`, `microsoft`, …), or null. */
export function providerOf(rules: ReplyRules, mxHost: string | null | undefined): string | null {
  if (!mxHost) return null;
  const host = mxHost.toLowerCase().replace(/\.$/, '');
  const key = providerKey(host);
  for (const [name, matchers] of rules.providers) {
    for (const m of matchers) {
      if (m.includes('*') ? globMatches(m, host) : m === key || m === host) return name;
    }
  }
  return null;
}

function enhancedMatches(wanted: string, actual: string | null): boolean {
  if (actual === null) return false;
  return wanted.endsWith('.') ? actual.startsWith(wanted) : wanted === actual;
}

/** The first rule that matches the reply, as a classification; null when none does. */
export function matchReplyRule(
  rules: ReplyRules,
  ev: Evidence,
  stage: ReplyStage,
  provider: string | null,
  retryAfterMs: number | null,
): Classification | null {
  for (const rule of rules.rules) {
    if (rule.provider !== undefined && rule.provider !== provider) continue;
    if (rule.stages && !rule.stages.includes(stage)) continue;
    if (rule.codes && !rule.codes.includes(ev.code)) continue;
    if (rule.enhanced && !enhancedMatches(rule.enhanced, ev.enhanced?.text ?? null)) continue;
    if (rule.pattern && !rule.pattern.test(ev.text)) continue;
    return {
      reason: rule.reason,
      rule: rule.id,
      about: rule.about,
      retry: rule.retry ? { kind: rule.retry, afterMs: retryAfterMs } : null,
      slowDown: rule.slowDown ?? false,
      breaker: rule.breaker ?? false,
    };
  }
  return null;
}
