/** Flags reported beside the verdict (DESIGN §3): role, free, disposable and a typo fix. */
import { isDisposableDomain } from './disposable.ts';
import { isFreeMailDomain } from './free.ts';
import { isRoleLocalPart } from './role.ts';
import { suggestDomain } from './suggest.ts';

export type AddressFlags = {
  /** A function's mailbox (info@, support@, …), not a person's. */
  role: boolean;
  /** A free mailbox provider (gmail.com, gmx.de, …). */
  free: boolean;
  /** A throwaway-mail domain (mailinator.com, …). */
  disposable: boolean;
  /** The likely intended address when the domain looks like a typo, else null. */
  suggestion: string | null;
};

/**
 * `local` and `domain` as `parseAddress` returns them (domain ASCII, lower case). The
 * suggestion keeps `local` as is and changes only the domain.
 */
export function addressFlags(local: string, domain: string): AddressFlags {
  const asciiDomain = domain.toLowerCase();
  const suggested = suggestDomain(asciiDomain);
  return {
    role: isRoleLocalPart(local),
    free: isFreeMailDomain(asciiDomain),
    disposable: isDisposableDomain(asciiDomain),
    suggestion: suggested === null ? null : `${local}@${suggested}`,
  };
}
