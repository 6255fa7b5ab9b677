/**
 * Egresses that failed (a SOCKS5 proxy that cannot be reached, refuses our credentials or
 * breaks the protocol; a local address the host lacks) are taken out for EGRESS_COOLDOWN, so
 * sessions leave through the others meanwhile instead of each finding the failure again. In
 * process for `listclean verify`; in Redis (one key with a TTL per egress) for the pipeline,
 * where every worker sees it and it ends by itself.
 */
import type { RedisClient } from '../redis/connect.ts';
import { egressDownKey } from '../redis/keys.ts';

export interface EgressDown {
  egress: string;
  /** What failed, as the connection said it (never a password). */
  reason: string;
  /** When the egress may be used again (ISO 8601). */
  until: string;
}

export interface EgressCooldown {
  /** Null while the egress may be used. */
  state(egress: string): Promise<EgressDown | null>;
  /** Takes the egress out for the cool-down; does nothing when the cool-down is 0. */
  takeOut(egress: string, reason: string): Promise<void>;
}

function downState(egress: string, reason: string, cooldownMs: number): EgressDown {
  return { egress, reason, until: new Date(Date.now() + cooldownMs).toISOString() };
}

export class LocalEgressCooldown implements EgressCooldown {
  readonly #down = new Map<string, EgressDown>();

  constructor(private readonly cooldownMs: number) {}

  async state(egress: string): Promise<EgressDown | null> {
    const down = this.#down.get(egress);
    if (!down) return null;
    if (Date.parse(down.until) > Date.now()) return down;
    this.#down.delete(egress);
    return null;
  }

  async takeOut(egress: string, reason: string): Promise<void> {
    if (this.cooldownMs <= 0) return;
    this.#down.set(egress, downState(egress, reason, this.cooldownMs));
  }
}

export class RedisEgressCooldown implements EgressCooldown {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly cooldownMs: number,
  ) {}

  async state(egress: string): Promise<EgressDown | null> {
    const raw = await this.redis.get(egressDownKey(this.prefix, egress));
    return raw ? (JSON.parse(raw) as EgressDown) : null;
  }

  async takeOut(egress: string, reason: string): Promise<void> {
    if (this.cooldownMs <= 0) return;
    const state = downState(egress, reason, this.cooldownMs);
    await this.redis.set(
      egressDownKey(this.prefix, egress),
      JSON.stringify(state),
      'PX',
      this.cooldownMs,
    );
  }
}
