/**
 * A postgrey-like greylist for one host: a (client IP, MAIL FROM, RCPT) triplet is deferred until
 * it has been tried `tries` times and `ms` have passed since its first try; after that it is
 * let through for good, as postgrey's auto-whitelist does.
 */
import type { ScenarioDomain } from '../scenario/scenario.ts';

export type GreylistRule = NonNullable<ScenarioDomain['greylist']>;

interface TripletState {
  firstSeen: number;
  attempts: number;
  passed: boolean;
}

export class Greylist {
  private readonly triplets = new Map<string, TripletState>();

  /** Records one attempt; true when it must be deferred with a 450. */
  defers(
    triplet: { clientIp: string; mailFrom: string; rcpt: string },
    rule: GreylistRule,
    now: number,
  ): boolean {
    const { clientIp, mailFrom, rcpt } = triplet;
    const key = `${clientIp}\0${mailFrom.toLowerCase()}\0${rcpt.toLowerCase()}`;
    let state = this.triplets.get(key);
    if (state === undefined) {
      state = { firstSeen: now, attempts: 0, passed: false };
      this.triplets.set(key, state);
    }
    state.attempts++;
    if (state.passed) return false;
    // Neither bound given: defer the first try only, the least greylisting that forces a retry.
    const tries = rule.tries ?? (rule.ms === undefined ? 1 : 0);
    if (tries === -1) return true;
    const triedEnough = state.attempts > tries;
    const waitedEnough = now - state.firstSeen >= (rule.ms ?? 0);
    if (!(triedEnough && waitedEnough)) return true;
    state.passed = true;
    return false;
  }
}
