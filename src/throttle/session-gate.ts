/**
 * Admission to open an SMTP session towards a provider: at most `maxConcurrentSessions` open at
 * once and at most `connectionsPerMinute` new connections (token bucket, so a short burst up to
 * the per-minute budget is fine, then it paces). This in-process gate serves one process
 * (`listclean verify`); the pipeline's gate keeps the same counters in Redis for all workers.
 */
import type { ProviderLimits } from '../policy/policy.ts';

export type Release = () => void;

export interface SessionGate {
  /**
   * Resolves when a session may be opened; call the returned function when it is closed.
   * `egress`: where the session leaves from. Providers throttle per client address, so each
   * egress has budgets of its own; none (or `default`) is the single-egress budget.
   */
  acquire(provider: string, limits: ProviderLimits, egress?: string): Promise<Release>;
}

/** The budget a session counts against: the provider's, as seen from one egress. */
export function gateScope(provider: string, egress?: string): string {
  return egress && egress !== 'default' ? `${provider}@${egress}` : provider;
}

interface ProviderState {
  open: number;
  tokens: number;
  refilledAt: number;
  waiting: Array<() => void>;
  timer: NodeJS.Timeout | null;
}

export class LocalSessionGate implements SessionGate {
  private readonly providers = new Map<string, ProviderState>();

  acquire(provider: string, limits: ProviderLimits, egress?: string): Promise<Release> {
    const scope = gateScope(provider, egress);
    const state = this.state(scope, limits);
    return new Promise((resolve) => {
      state.waiting.push(() => resolve(this.releaser(scope, limits)));
      this.pump(scope, limits);
    });
  }

  private state(provider: string, limits: ProviderLimits): ProviderState {
    let state = this.providers.get(provider);
    if (!state) {
      state = {
        open: 0,
        tokens: limits.connectionsPerMinute,
        refilledAt: Date.now(),
        waiting: [],
        timer: null,
      };
      this.providers.set(provider, state);
    }
    return state;
  }

  private releaser(provider: string, limits: ProviderLimits): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const state = this.state(provider, limits);
      state.open -= 1;
      this.pump(provider, limits);
    };
  }

  /** Admits waiters while both budgets allow; schedules itself when only tokens are missing. */
  private pump(provider: string, limits: ProviderLimits): void {
    const state = this.state(provider, limits);
    const perMs = limits.connectionsPerMinute / 60_000;
    const now = Date.now();
    state.tokens = Math.min(
      limits.connectionsPerMinute,
      state.tokens + (now - state.refilledAt) * perMs,
    );
    state.refilledAt = now;
    while (
      state.waiting.length > 0 &&
      state.open < limits.maxConcurrentSessions &&
      state.tokens >= 1
    ) {
      state.tokens -= 1;
      state.open += 1;
      state.waiting.shift()?.();
    }
    if (state.waiting.length > 0 && state.open < limits.maxConcurrentSessions && !state.timer) {
      const wait = Math.ceil((1 - state.tokens) / perMs);
      state.timer = setTimeout(() => {
        state.timer = null;
        this.pump(provider, limits);
      }, wait);
    }
  }
}
