/**
 * A circuit breaker per MX provider (DESIGN §2.8, issue "providers that block us"): when a
 * provider refuses our client or sender (a blocklist, PTR or SPF failure, a reputation block),
 * probing on only burns the sender's reputation, so the provider is left alone for a cool-down
 * and its addresses are reported `unknown / blocked` meanwhile. This in-process breaker serves
 * `listclean verify`; the pipeline keeps the same state in Redis for every worker.
 */
import { ListcleanError } from '../errors.ts';

export interface BreakerState {
  provider: string;
  /** The reply that opened the breaker, as the server gave it. */
  reply: string;
  /** The rule that read that reply as a block on us. */
  rule: string;
  openedAt: string;
  until: string;
}

export interface ProviderBreaker {
  /** The open breaker of a provider, or null when it may be probed. */
  state(provider: string): Promise<BreakerState | null>;
  /**
   * Opens the provider's breaker for the cool-down unless it is open already. Null when
   * breakers are off (a cool-down of 0); `opened` is true for the call that opened it.
   */
  trip(
    provider: string,
    reply: string,
    rule: string,
  ): Promise<{ state: BreakerState; opened: boolean } | null>;
}

export function breakerState(
  provider: string,
  reply: string,
  rule: string,
  now: number,
  cooldownMs: number,
): BreakerState {
  return {
    provider,
    reply,
    rule,
    openedAt: new Date(now).toISOString(),
    until: new Date(now + cooldownMs).toISOString(),
  };
}

export class LocalProviderBreaker implements ProviderBreaker {
  private readonly open = new Map<string, BreakerState>();

  constructor(private readonly cooldownMs: number) {}

  async state(provider: string): Promise<BreakerState | null> {
    const state = this.open.get(provider);
    if (!state) return null;
    if (Date.parse(state.until) > Date.now()) return state;
    this.open.delete(provider);
    return null;
  }

  async trip(provider: string, reply: string, rule: string) {
    if (this.cooldownMs <= 0) return null;
    const current = await this.state(provider);
    if (current) return { state: current, opened: false };
    const state = breakerState(provider, reply, rule, Date.now(), this.cooldownMs);
    this.open.set(provider, state);
    return { state, opened: true };
  }
}

/** Raised when a session would open towards a provider whose breaker is open. */
export class BreakerOpenError extends ListcleanError {
  constructor(readonly state: BreakerState) {
    super(
      'provider_blocked',
      `${state.provider} refused us (${state.reply}); probing it is paused until ${state.until}`,
    );
    this.name = 'BreakerOpenError';
  }
}
