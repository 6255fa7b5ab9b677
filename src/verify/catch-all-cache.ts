/**
 * Per-domain catch-all answers and the probe local part used for them. The probe address must
 * stay the same across retries: greylisting keys on (client, MAIL FROM, RCPT), so a new random
 * address would be greylisted afresh every time.
 */
import { randomBytes } from 'node:crypto';

export interface CatchAllStore {
  get(domain: string): Promise<boolean | undefined>;
  set(domain: string, catchAll: boolean): Promise<void>;
  probeLocalPart(domain: string): Promise<string>;
  /** True if this caller should send the probe now (at most one prober per domain at a time). */
  claimProbe(domain: string): Promise<boolean>;
  /** Gives the claim up once the probe round is over, answered or not. */
  releaseProbe(domain: string): Promise<void>;
  /** The answer of a probe another caller is sending, waiting up to `timeoutMs`. */
  waitFor(domain: string, timeoutMs: number): Promise<boolean | undefined>;
}

export class MemoryCatchAllStore implements CatchAllStore {
  private readonly answers = new Map<string, { value: boolean; expires: number }>();
  private readonly probes = new Map<string, string>();

  constructor(private readonly ttlMs = 24 * 3_600_000) {}

  async get(domain: string): Promise<boolean | undefined> {
    const hit = this.answers.get(domain);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.answers.delete(domain);
      return undefined;
    }
    return hit.value;
  }

  async set(domain: string, value: boolean): Promise<void> {
    this.answers.set(domain, { value, expires: Date.now() + this.ttlMs });
  }

  /** One process, and a round probes in one session only: nobody else to wait for. */
  async claimProbe(_domain: string): Promise<boolean> {
    return true;
  }

  async releaseProbe(_domain: string): Promise<void> {}

  async waitFor(domain: string, _timeoutMs: number): Promise<boolean | undefined> {
    return this.get(domain);
  }

  async probeLocalPart(domain: string): Promise<string> {
    let local = this.probes.get(domain);
    if (!local) {
      local = randomProbeLocalPart();
      this.probes.set(domain, local);
    }
    return local;
  }
}

/** A local part no human has: 16 random base32-ish characters. */
export function randomProbeLocalPart(): string {
  return `lc-${randomBytes(10).toString('hex')}`;
}
