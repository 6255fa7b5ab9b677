/**
 * The chance that a message sent to an address bounces, estimated from its verdict's reason.
 * summary.json's `expected_bounce_rate` is the mean of these over the rows of a list.
 *
 * | reason                     | p    | why                                                     |
 * |----------------------------|------|---------------------------------------------------------|
 * | accepted                   | 0.01 | accepted at RCPT; a few still fail at DATA or later     |
 * | greylisted                 | 0.20 | greylisting servers are real and usually deliver late   |
 * | blocked                    | 0.25 | the server refused us, not the mailbox                  |
 * | catch_all                  | 0.25 | the domain accepts everything; the rule of thumb is 1/4 |
 * | disposable                 | 0.30 | works for minutes or days, then the inbox is gone       |
 * | timeout, protocol_error,   | 0.30 | we learned nothing about the mailbox; a slow or broken  |
 * | temporary_failure          |      | server fails real senders too, now and then             |
 * | connection_failed          | 0.35 | nothing answers on port 25: often a dead domain         |
 * | mx_not_public              | 0.35 | probing refused by our own safety rule; a private MX    |
 * |                            |      | rarely takes mail from the internet                     |
 * | mailbox_full               | 0.50 | a soft bounce today, often an abandoned mailbox         |
 * | rejected                   | 0.60 | a bare 5xx: often a mailbox that is gone, but the       |
 * |                            |      | server did not say so (it may be a policy)              |
 * | every undeliverable reason | 1.00 | the server (or DNS, or syntax) said no                  |
 *
 * Estimates, not measurements: they rank lists and show the effect of cleaning.
 */
import type { Reason } from '../verdict/types.ts';

export const BOUNCE_PROBABILITY: Readonly<Record<Reason, number>> = {
  accepted: 0.01,
  greylisted: 0.2,
  blocked: 0.25,
  catch_all: 0.25,
  disposable: 0.3,
  timeout: 0.3,
  protocol_error: 0.3,
  temporary_failure: 0.3,
  connection_failed: 0.35,
  mx_not_public: 0.35,
  mailbox_full: 0.5,
  rejected: 0.6,
  invalid_syntax: 1,
  no_domain: 1,
  no_mail_server: 1,
  mailbox_not_found: 1,
  mailbox_disabled: 1,
};

/** Summed in whole basis points: a million float additions would drift in the last digits. */
const BASIS_POINTS = 10_000;

/** A running mean of bounce probabilities. */
export class BounceRateMeter {
  private basisPoints = 0;
  private count = 0;

  add(reason: Reason): void {
    this.basisPoints += Math.round(BOUNCE_PROBABILITY[reason] * BASIS_POINTS);
    this.count += 1;
  }

  /** The mean as a fraction with four decimals (0.1234 = 12.34 %); 0 for no rows. */
  rate(): number {
    return this.count === 0 ? 0 : Math.round(this.basisPoints / this.count) / BASIS_POINTS;
  }
}
