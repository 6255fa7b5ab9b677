/**
 * The verdict of one address as users see it: a line of `listclean verify`, a row's verdict
 * columns in report.csv (DESIGN §4–5, contract names).
 */
import { riskScore } from './risk.ts';
import type { Reason, Status } from './types.ts';
import { REASON_STATUS } from './types.ts';

export interface AddressResult {
  /** The address exactly as given. */
  email: string;
  email_normalized: string | null;
  status: Status;
  reason: Reason;
  risk_score: number;
  role: boolean;
  free: boolean;
  disposable: boolean;
  catch_all: boolean;
  suggestion: string | null;
  mx_host: string | null;
  smtp_code: number | null;
  smtp_enhanced_code: string | null;
  /** The server's words (or ours, for failures), for humans. */
  detail: string | null;
  checked_at: string;
  /** Stable id of the rule that decided the verdict (`enhanced-5.1.1`, `bare-5xx`, …). */
  rule: string | null;
  /** Who runs the domain's mail: `google`, `microsoft`, … or the MX host's registrable domain. */
  mx_provider: string | null;
  /** Whether the domain publishes SPF; null when it was not looked up or DNS failed. */
  spf: boolean | null;
  /** The domain's DMARC policy, `absent` without one; null when not looked up or DNS failed. */
  dmarc: DmarcPolicy | null;
  /** The egress the probe left from (a local address or a SOCKS5 proxy's name). */
  egress: string | null;
  /** The SMTP transcript that decided the verdict (`--trace`), by name. */
  trace: string | null;
}

export type DmarcPolicy = 'none' | 'quarantine' | 'reject' | 'absent';

/** Every field of a result, in the order `listclean verify` and the API print them. */
export const RESULT_FIELDS = [
  'email',
  'email_normalized',
  'status',
  'reason',
  'risk_score',
  'role',
  'free',
  'disposable',
  'catch_all',
  'suggestion',
  'mx_host',
  'smtp_code',
  'smtp_enhanced_code',
  'detail',
  'checked_at',
  'rule',
  'mx_provider',
  'spf',
  'dmarc',
  'egress',
  'trace',
] as const satisfies readonly (keyof AddressResult)[];

export interface ResultParts {
  email: string;
  normalized: string | null;
  reason: Reason;
  flags: { role: boolean; free: boolean; disposable: boolean; suggestion: string | null };
  catchAll: boolean;
  mxHost: string | null;
  smtpCode: number | null;
  smtpEnhancedCode: string | null;
  detail: string | null;
  checkedAt: Date;
  rule: string | null;
  mxProvider?: string | null;
  spf?: boolean | null;
  dmarc?: DmarcPolicy | null;
  egress?: string | null;
  trace?: string | null;
}

export function buildResult(parts: ResultParts): AddressResult {
  return {
    email: parts.email,
    email_normalized: parts.normalized,
    status: REASON_STATUS[parts.reason],
    reason: parts.reason,
    risk_score: riskScore(parts.reason, parts.flags),
    role: parts.flags.role,
    free: parts.flags.free,
    disposable: parts.flags.disposable,
    catch_all: parts.catchAll,
    suggestion: parts.flags.suggestion,
    mx_host: parts.mxHost,
    smtp_code: parts.smtpCode,
    smtp_enhanced_code: parts.smtpEnhancedCode,
    detail: parts.detail,
    checked_at: parts.checkedAt.toISOString(),
    rule: parts.rule,
    mx_provider: parts.mxProvider ?? null,
    spf: parts.spf ?? null,
    dmarc: parts.dmarc ?? null,
    egress: parts.egress ?? null,
    trace: parts.trace ?? null,
  };
}

/** The result of an address `parseAddress` refused: its error code names the rule. */
export function syntaxResult(
  email: string,
  rejection: { code: string; message: string },
): AddressResult {
  return invalidSyntaxResult(
    email,
    `${rejection.code}: ${rejection.message}`,
    `syntax-${rejection.code.replaceAll('_', '-')}`,
  );
}

/**
 * The result of an input that is not a usable address (bad syntax, empty cell, broken CSV row);
 * `rule` says which (`syntax-<address error code>`, `empty-cell`, `malformed-row`).
 */
export function invalidSyntaxResult(email: string, detail: string, rule: string): AddressResult {
  return buildResult({
    email,
    normalized: null,
    reason: 'invalid_syntax',
    flags: { role: false, free: false, disposable: false, suggestion: null },
    catchAll: false,
    mxHost: null,
    smtpCode: null,
    smtpEnhancedCode: null,
    detail,
    checkedAt: new Date(),
    rule,
  });
}
