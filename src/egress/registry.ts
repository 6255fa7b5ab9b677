/**
 * Which worker processes have which egress, in Redis: a greylisted address must be retried from
 * the egress that asked first, and only a worker that has it can do that. Each worker writes
 * its egresses at start and renews them every few seconds (a hash per egress, worker id → last
 * heartbeat, whose key expires when nobody renews it); a worker that stops removes itself. A
 * retry whose egress has no live owner any more is taken over by whichever worker gets it.
 *
 * The `default` egress (the host's route) is never registered: every worker has one, and
 * which address it leaves from is up to the network, not to us.
 */

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { RedisClient } from '../redis/connect.ts';
import { egressOwnersKey } from '../redis/keys.ts';

/** An owner that stops renewing (killed) counts as gone after this. */
export const EGRESS_OWNER_TTL_MS = 30_000;
const HEARTBEAT_MS = 10_000;

export class EgressRegistration {
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  #timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly egresses: readonly string[],
  ) {}

  /** Registers `egresses` (names; `default` is left out) and keeps them registered. */
  static async start(
    redis: RedisClient,
    prefix: string,
    egresses: readonly string[],
  ): Promise<EgressRegistration> {
    const registration = new EgressRegistration(
      redis,
      prefix,
      egresses.filter((name) => name !== 'default'),
    );
    if (registration.egresses.length === 0) return registration;
    await registration.#beat();
    registration.#timer = setInterval(() => {
      // Redis away for a moment: the next beat writes it again, well within the TTL.
      registration.#beat().catch(() => undefined);
    }, HEARTBEAT_MS);
    registration.#timer.unref();
    return registration;
  }

  async #beat(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      this.egresses.map((name) => {
        const key = egressOwnersKey(this.prefix, name);
        return this.redis
          .multi()
          .hset(key, this.workerId, now)
          .pexpire(key, EGRESS_OWNER_TTL_MS)
          .exec();
      }),
    );
  }

  /** The worker stops: its egresses are no longer its (a hash left empty disappears). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.all(
      this.egresses.map((name) =>
        this.redis.hdel(egressOwnersKey(this.prefix, name), this.workerId).catch(() => 0),
      ),
    );
  }
}

/** Whether some worker has renewed its claim on the egress within the TTL. */
export async function egressHasOwner(
  redis: RedisClient,
  prefix: string,
  egress: string,
): Promise<boolean> {
  return (await redis.exists(egressOwnersKey(prefix, egress))) > 0;
}
