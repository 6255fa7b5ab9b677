/**
 * Which egress a domain's sessions leave from. Greylisting keys on the client address, so the
 * choice is stable: a hash of the domain picks one of the egresses the provider may use (the
 * policy's `egress:`, default all), and a greylisting retry names the egress that asked first.
 * An egress that fails, or is cooling down after failing elsewhere, is passed over for the next
 * one in the same stable order, at once and within the same round.
 */
import { describeEgress, type Egress } from './config.ts';
import type { EgressCooldown } from './cooldown.ts';

/** The egresses of `all` that `names` allows (null: every one), in configuration order. */
export function allowedEgresses(all: readonly Egress[], names: readonly string[] | null): Egress[] {
  if (names === null) return [...all];
  return all.filter((egress) => names.includes(egress.name));
}

function domainHash(domain: string): number {
  let hash = 0;
  for (const char of domain) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash;
}

/**
 * The order a domain tries its egresses in: from the preferred one (a greylisting retry's) if
 * it is allowed, else from the one the domain's hash picks, then round the list.
 */
export function egressOrder(
  domain: string,
  allowed: readonly Egress[],
  preferred?: string,
): Egress[] {
  if (allowed.length === 0) return [];
  const at = preferred ? allowed.findIndex((egress) => egress.name === preferred) : -1;
  const start = at >= 0 ? at : domainHash(domain) % allowed.length;
  return [...allowed.slice(start), ...allowed.slice(0, start)];
}

/** Every egress the provider may use failed this round or is cooling down. */
export class EgressesDownError extends Error {
  readonly code = 'egresses_down';

  constructor(readonly down: ReadonlyArray<{ egress: string; reason: string }>) {
    super(
      `not probed: no egress could reach the server — ${down
        .map((d) => `${d.egress}: ${d.reason}`)
        .join('; ')}`,
    );
    this.name = 'EgressesDownError';
  }
}

/** One round's egress: the first usable one of its order, until it fails. */
export class EgressChooser {
  #current: Egress | null = null;
  /** Failed or found cooling down, this round: name → why. */
  readonly #out = new Map<string, string>();

  constructor(
    private readonly order: readonly Egress[],
    private readonly cooldown: EgressCooldown,
  ) {}

  /** The egress the next session leaves from; throws `EgressesDownError` when none is left. */
  async pick(): Promise<Egress> {
    if (this.#current && !this.#out.has(this.#current.name)) return this.#current;
    for (const egress of this.order) {
      if (this.#out.has(egress.name)) continue;
      const down = await this.cooldown.state(egress.name);
      if (down) {
        this.#out.set(egress.name, `${down.reason} (out until ${down.until})`);
        continue;
      }
      this.#current = egress;
      return egress;
    }
    throw new EgressesDownError(
      this.order.map((egress) => ({
        egress: describeEgress(egress),
        reason: this.#out.get(egress.name) ?? 'not tried',
      })),
    );
  }

  /** The egress failed: out for this round, and for the cool-down everywhere. */
  async failed(egress: Egress, reason: string): Promise<void> {
    this.#out.set(egress.name, reason);
    if (this.#current?.name === egress.name) this.#current = null;
    await this.cooldown.takeOut(egress.name, reason);
  }
}
