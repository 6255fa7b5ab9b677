/**
 * Throwaway-mail domains, from the `disposable-domains` package: the list of
 * tompec/disposable-email-domains, the maintained successor of the `disposable-email-domains`
 * package (ivolo's, no longer updated). Every entry also covers its subdomains
 * (`x.33mail.com`). Dependabot keeps it current (`.github/dependabot.yml`, group
 * `domain-lists`); `npm run update:domains` does the same by hand.
 */
import { loadDomainList } from './domain-lists.ts';
import { isPublicSuffix } from './public-suffix.ts';

export const DISPOSABLE_LIST = 'disposable-domains/index.json';

let listed: Set<string> | undefined;

/** Whether mail to `domain` (ASCII, lower case) lands in a throwaway inbox. */
export function isDisposableDomain(domain: string): boolean {
  listed ??= new Set(loadDomainList(DISPOSABLE_LIST));
  // Up to the registrable domain, never past it: the list holds a few public suffixes
  // (`edu.pl`, `edu.kg`), and a university under one is not a throwaway inbox.
  for (let suffix = domain; suffix !== '' && !isPublicSuffix(suffix); ) {
    if (listed.has(suffix)) return true;
    const dot = suffix.indexOf('.');
    suffix = dot === -1 ? '' : suffix.slice(dot + 1);
  }
  return false;
}
