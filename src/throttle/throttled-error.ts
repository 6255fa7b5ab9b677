/**
 * Raised instead of waiting when a provider's gate would hold a worker slot longer than the
 * caller allows: the pipeline moves the job to delayed for `retryInMs`, so one throttled provider
 * never blocks workers that could serve the others.
 */
import { ListcleanError } from '../errors.ts';

/** `sessions`: the provider's sessions are all open; `rate`: its connection budget is spent. */
export type ThrottleReason = 'sessions' | 'rate';

export class ThrottledError extends ListcleanError {
  readonly provider: string;
  readonly blockedBy: ThrottleReason;
  readonly retryInMs: number;

  constructor(provider: string, blockedBy: ThrottleReason, retryInMs: number) {
    const what =
      blockedBy === 'sessions' ? 'all its sessions are open' : 'its connection rate is spent';
    super(
      'provider_throttled',
      `Provider ${provider} is throttled (${what}); retry in ${Math.ceil(retryInMs)} ms`,
    );
    this.name = 'ThrottledError';
    this.provider = provider;
    this.blockedBy = blockedBy;
    this.retryInMs = retryInMs;
  }
}
