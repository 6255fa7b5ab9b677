/**
 * The pipeline's `ProviderBreaker`: one key per open breaker, `SET NX PX cool-down`, so every
 * worker sees it, exactly one of them opens it, and it closes by itself when the key expires.
 */

import type { RedisClient } from '../redis/connect.ts';
import { breakerKey } from '../redis/keys.ts';
import { type BreakerState, breakerState, type ProviderBreaker } from './breaker.ts';

export class RedisProviderBreaker implements ProviderBreaker {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly cooldownMs: number,
  ) {}

  async state(provider: string): Promise<BreakerState | null> {
    const raw = await this.redis.get(breakerKey(this.prefix, provider));
    return raw ? (JSON.parse(raw) as BreakerState) : null;
  }

  async trip(provider: string, reply: string, rule: string) {
    if (this.cooldownMs <= 0) return null;
    const state = breakerState(provider, reply, rule, Date.now(), this.cooldownMs);
    const key = breakerKey(this.prefix, provider);
    const set = await this.redis.set(key, JSON.stringify(state), 'PX', this.cooldownMs, 'NX');
    if (set === 'OK') return { state, opened: true };
    const current = await this.state(provider);
    // Expired between the two calls: the next block opens it again.
    return current ? { state: current, opened: false } : null;
  }
}
