/** Free mailbox providers (gmail.com, gmx.de, …). */
import { isListedMailProvider } from './mail-providers.ts';
import { providerTypoFix } from './suggest.ts';

/** Listed domains that are one slip from a big provider: typo catchers, not providers. */
const typoCatchers = new Map<string, boolean>();

/** Whether `domain` (ASCII, lower case) is a free, non-disposable mailbox provider. */
export function isFreeMailDomain(domain: string): boolean {
  if (!isListedMailProvider(domain)) return false;
  let typo = typoCatchers.get(domain);
  if (typo === undefined) {
    typo = providerTypoFix(domain) !== null;
    typoCatchers.set(domain, typo);
  }
  return !typo;
}
