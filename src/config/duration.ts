/**
 * Durations in configuration: `200ms`, `30s`, `5m`, `2h`, `7d`; a bare number is milliseconds.
 * Returns null for anything else so the caller can say which variable was wrong.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNIT_MS[(m[2] ?? 'ms').toLowerCase()];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

/** `5m,15m,45m` → [300000, 900000, 2700000]; null if any element is not a duration. */
export function parseDurationList(text: string): number[] | null {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const values = parts.map(parseDuration);
  return values.every((v): v is number => v !== null) ? values : null;
}

/** 300000 → `5m`, for messages and progress lines. */
export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
