/**
 * Hygiene schedules as BullMQ job schedulers: they live in Redis, so they survive restarts of
 * every process, and whichever worker is up runs each firing once.
 */
import { CronExpressionParser } from 'cron-parser';
import { formatDuration } from '../config/duration.ts';
import { ListcleanError } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { hygieneSchedulerId } from './names.ts';

export const DEFAULT_CRON = '0 3 * * *';
export const DEFAULT_TIMEZONE = 'UTC';

export interface Schedule {
  cron: string;
  timezone: string;
  nextRun: string | null;
}

/** A schedule as the API and the CLI print it: one shape, snake_case. */
export function scheduleJson(schedule: Schedule): {
  cron: string;
  timezone: string;
  next_run: string | null;
} {
  return { cron: schedule.cron, timezone: schedule.timezone, next_run: schedule.nextRun };
}

function validTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Checks a cron pattern (5 fields, or 6 with seconds) and time zone; returns the next firing. */
export function nextFiring(cron: string, timezone: string): Date {
  if (!validTimezone(timezone)) {
    throw new ListcleanError(
      'invalid_timezone',
      `Unknown time zone "${timezone}"; use an IANA name such as Europe/Berlin or UTC.`,
    );
  }
  const fields = cron.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    throw new ListcleanError(
      'invalid_cron',
      `"${cron}" is not a cron pattern: want 5 fields (min hour day month weekday) or 6 with seconds first.`,
    );
  }
  try {
    return CronExpressionParser.parse(cron, { tz: timezone }).next().toDate();
  } catch (error) {
    throw new ListcleanError(
      'invalid_cron',
      `"${cron}" is not a valid cron pattern: ${(error as Error).message}`,
    );
  }
}

/** The shortest gap between two of the pattern's next `firings` firings, in ms. */
export function shortestGap(cron: string, timezone: string, firings = 200): number {
  const times = CronExpressionParser.parse(cron, { tz: timezone }).take(firings);
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i]?.getTime() ?? 0) - (times[i - 1]?.getTime() ?? 0);
    shortest = Math.min(shortest, gap);
  }
  return shortest;
}

export async function setSchedule(
  rt: Runtime,
  listId: string,
  cron = DEFAULT_CRON,
  timezone = DEFAULT_TIMEZONE,
): Promise<Schedule> {
  const next = nextFiring(cron, timezone);
  const minimum = rt.config.HYGIENE_MIN_INTERVAL;
  const gap = shortestGap(cron, timezone);
  if (gap < minimum) {
    throw new ListcleanError(
      'schedule_too_frequent',
      `"${cron}" would start runs ${formatDuration(gap)} apart; hygiene runs must be at least ` +
        `${formatDuration(minimum)} apart (HYGIENE_MIN_INTERVAL). Nightly is "${DEFAULT_CRON}".`,
    );
  }
  await rt.queues.hygiene.upsertJobScheduler(
    hygieneSchedulerId(listId),
    { pattern: cron, tz: timezone },
    { name: 'hygiene', data: { listId }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  return { cron, timezone, nextRun: next.toISOString() };
}

export async function getSchedule(rt: Runtime, listId: string): Promise<Schedule | null> {
  const scheduler = await rt.queues.hygiene.getJobScheduler(hygieneSchedulerId(listId));
  if (!scheduler?.pattern) return null;
  const timezone = scheduler.tz ?? DEFAULT_TIMEZONE;
  return {
    cron: scheduler.pattern,
    timezone,
    nextRun: scheduler.next
      ? new Date(scheduler.next).toISOString()
      : nextFiring(scheduler.pattern, timezone).toISOString(),
  };
}

/** True if there was a schedule to remove. */
export async function removeSchedule(rt: Runtime, listId: string): Promise<boolean> {
  return rt.queues.hygiene.removeJobScheduler(hygieneSchedulerId(listId));
}
