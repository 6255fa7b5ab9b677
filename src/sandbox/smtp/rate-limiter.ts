/**
 * Per-client RCPT budget of one host (`ScenarioHost.rateLimit`), the way large providers throttle
 * a sending IP: a fixed window opened by the first RCPT; once spent, the host answers 421.
 */
import type { ScenarioHost } from '../scenario/scenario.ts';

export type RateLimit = NonNullable<ScenarioHost['rateLimit']>;

export class RcptRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** Counts one RCPT from `clientIp`; false when it is over the budget. */
  take(clientIp: string, limit: RateLimit, now: number): boolean {
    const window = this.current(clientIp, limit, now) ?? { start: now, count: 0 };
    this.windows.set(clientIp, window);
    window.count++;
    return window.count <= limit.rcpts;
  }

  /** True while `clientIp` has spent its budget for the current window. */
  exhausted(clientIp: string, limit: RateLimit, now: number): boolean {
    const window = this.current(clientIp, limit, now);
    return window !== undefined && window.count >= limit.rcpts;
  }

  private current(clientIp: string, limit: RateLimit, now: number) {
    const window = this.windows.get(clientIp);
    return window !== undefined && now - window.start < limit.windowMs ? window : undefined;
  }
}
