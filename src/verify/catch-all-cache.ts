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
