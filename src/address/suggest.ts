/**
 * Typo fixes for the domains of big mailbox providers (`gmial.com` → `gmail.com`).
 * @zootools/email-spell-checker picks the candidate; the rules in provider-targets.ts decide
 * whether it is worth reporting.
 */
import emailSpellChecker from '@zootools/email-spell-checker';
import { isDisposableDomain } from './disposable.ts';
import { editDistance } from './edit-distance.ts';
import {
  GENUINE_NEIGHBOURS,
  isAcceptedSuffixSwap,
  isNearProviderTarget,
  isProviderTarget,
  PROVIDER_DOMAINS,
  PROVIDER_NAMES,
} from './provider-targets.ts';
import { hasPublicTld } from './public-suffix.ts';

/** Typos are one slip: a swapped, missing, extra or wrong character. */
const MAX_EDITS = 1;

const ASCII_DOMAIN = /^[a-z0-9.-]+$/;

/**
 * The big provider's domain that `domain` (ASCII, lower case) is one slip away from, or null.
 * Says nothing about whether `domain` itself may be corrected: see `suggestDomain`.
 */
export function providerTypoFix(domain: string): string | null {
  if (!ASCII_DOMAIN.test(domain) || GENUINE_NEIGHBOURS.has(domain) || isProviderTarget(domain)) {
    return null;
  }
  // The spell checker compares against every candidate each call; most domains are nowhere
  // near a provider and are settled by the index in a few lookups.
  if (!isNearProviderTarget(domain)) return null;
  const suggestion = emailSpellChecker.run({
    email: `x@${domain}`,
    domains: PROVIDER_DOMAINS,
    secondLevelDomains: PROVIDER_NAMES,
    topLevelDomains: emailSpellChecker.POPULAR_TLDS,
    distanceFunction: editDistance,
    domainThreshold: MAX_EDITS,
    secondLevelThreshold: MAX_EDITS,
    topLevelThreshold: MAX_EDITS,
  });
  const candidate = suggestion?.domain.toLowerCase();
  if (candidate === undefined || candidate === domain || !isProviderTarget(candidate)) {
    return null;
  }
  // The spell checker may fix the name and the top-level part together; one slip is the limit.
  if (editDistance(domain, candidate) > MAX_EDITS) return null;
  return isAcceptedSuffixSwap(domain, candidate) ? candidate : null;
}

/**
 * The suggested domain for `domain` (ASCII, lower case), or null. Never suggests for a real
 * provider or a throwaway domain, nor for a domain under a reserved, private or unknown TLD:
 * `acme.internal` is deliberate, and so, for all we know, is `gmail.con`.
 */
export function suggestDomain(domain: string): string | null {
  if (isDisposableDomain(domain)) return null;
  // A listed provider gets a fix only when it is a typo catcher like `gmial.com`, and then it
  // is not reported as free either (free.ts).
  const fix = providerTypoFix(domain);
  return fix !== null && hasPublicTld(domain) ? fix : null;
}
