/**
 * The compact form of a verdict kept in Redis (the verdict cache and per-list results): a JSON
 * array `[reason, checkedAtMs, catchAll, mxHost, smtpCode, smtpEnhancedCode, detail, rule,
 * signals (SPF + DMARC in two characters), egress, trace]` with
 * trailing nulls dropped, typically 40–60 bytes plus the detail. Status is not stored: it
 * follows from the reason. The reason is stored by name, not index, so reordering the taxonomy
 * can never misread old entries; anything that does not decode is treated as a miss.
 */
import { mailProvider } from '../dns/provider.ts';
import type { DmarcPolicy, ResultParts } from '../verdict/result.ts';
import { REASON_STATUS, type Reason } from '../verdict/types.ts';

/** Exactly the verdict fields of `ResultParts`, so a cached verdict builds a result directly. */
export type CachedVerdict = Pick<
  ResultParts,
  | 'reason'
  | 'catchAll'
  | 'mxHost'
  | 'smtpCode'
  | 'smtpEnhancedCode'
  | 'detail'
  | 'checkedAt'
  | 'rule'
  | 'mxProvider'
  | 'spf'
  | 'dmarc'
  | 'egress'
  | 'trace'
>;

/**
 * SPF and DMARC in two characters (`1r`: SPF published, DMARC reject; `-` for unknown), because
 * every byte is paid once per cached address, millions of times.
 */
const DMARC_CODES: Record<DmarcPolicy, string> = {
  none: 'n',
  quarantine: 'q',
  reject: 'r',
  absent: 'a',
};
const DMARC_BY_CODE = new Map(
  Object.entries(DMARC_CODES).map(([policy, code]) => [code, policy as DmarcPolicy]),
);

function encodeSignals(spf: boolean | null, dmarc: DmarcPolicy | null): string | null {
  if (spf === null && dmarc === null) return null;
  return `${spf === null ? '-' : spf ? '1' : '0'}${dmarc === null ? '-' : DMARC_CODES[dmarc]}`;
}

function decodeSignals(
  value: unknown,
): { spf: boolean | null; dmarc: DmarcPolicy | null } | undefined {
  if (value === null) return { spf: null, dmarc: null };
  if (typeof value !== 'string' || value.length !== 2) return undefined;
  const [spf, dmarc] = value;
  if (spf !== '-' && spf !== '0' && spf !== '1') return undefined;
  if (dmarc !== '-' && !DMARC_BY_CODE.has(dmarc ?? '')) return undefined;
  return {
    spf: spf === '-' ? null : spf === '1',
    dmarc: dmarc === '-' ? null : (DMARC_BY_CODE.get(dmarc ?? '') ?? null),
  };
}

/** Server replies can be long; a human needs the start of one to see why. */
export const DETAIL_MAX_CHARS = 200;

export function encodeVerdict(verdict: CachedVerdict): string {
  const fields: unknown[] = [
    verdict.reason,
    verdict.checkedAt.getTime(),
    verdict.catchAll ? 1 : 0,
    verdict.mxHost,
    verdict.smtpCode,
    verdict.smtpEnhancedCode,
    verdict.detail === null ? null : truncateDetail(verdict.detail),
    verdict.rule,
    encodeSignals(verdict.spf ?? null, verdict.dmarc ?? null),
    verdict.egress ?? null,
    verdict.trace ?? null,
  ];
  while (fields.length > 0 && fields[fields.length - 1] === null) fields.pop();
  return JSON.stringify(fields);
}

export function decodeVerdict(text: string): CachedVerdict | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields)) return undefined;
  const [
    reason,
    checkedAt,
    catchAll,
    mxHost = null,
    code = null,
    enhanced = null,
    detail = null,
    rule = null,
    signals = null,
    egress = null,
    trace = null,
  ] = fields as unknown[];
  if (typeof reason !== 'string' || !Object.hasOwn(REASON_STATUS, reason)) return undefined;
  if (typeof checkedAt !== 'number' || !Number.isFinite(checkedAt)) return undefined;
  if (catchAll !== 0 && catchAll !== 1) return undefined;
  if (
    !isStringOrNull(mxHost) ||
    !isStringOrNull(enhanced) ||
    !isStringOrNull(detail) ||
    !isStringOrNull(rule) ||
    !isStringOrNull(egress) ||
    !isStringOrNull(trace)
  ) {
    return undefined;
  }
  const decodedSignals = decodeSignals(signals);
  if (decodedSignals === undefined) return undefined;
  if (code !== null && !Number.isInteger(code)) return undefined;
  return {
    reason: reason as Reason,
    checkedAt: new Date(checkedAt),
    catchAll: catchAll === 1,
    mxHost,
    smtpCode: code as number | null,
    smtpEnhancedCode: enhanced,
    detail,
    // Entries written before verdicts named their rule decode with none.
    rule,
    // Not stored: it follows from the MX host.
    mxProvider: mailProvider(mxHost),
    ...decodedSignals,
    egress,
    trace,
  };
}

/** At most DETAIL_MAX_CHARS UTF-16 units, ending in `…` when cut, never inside a surrogate pair. */
export function truncateDetail(detail: string): string {
  if (detail.length <= DETAIL_MAX_CHARS) return detail;
  let end = DETAIL_MAX_CHARS - 1;
  const last = detail.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${detail.slice(0, end)}…`;
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
