/** Throwaway-mail domains, from the `disposable-email-domains` package. */
import { loadDomainList } from './domain-lists.ts';

let exact: Set<string> | undefined;
let withSubdomains: Set<string> | undefined;

/** Whether mail to `domain` (ASCII, lower case) lands in a throwaway inbox. */
export function isDisposableDomain(domain: string): boolean {
  exact ??= new Set(loadDomainList('disposable-email-domains/index.json'));
  // wildcard.json lists services that hand out any subdomain (`x.33mail.com`) as well.
  withSubdomains ??= new Set(loadDomainList('disposable-email-domains/wildcard.json'));
  if (exact.has(domain)) return true;
  for (let suffix = domain; suffix !== ''; ) {
    if (withSubdomains.has(suffix)) return true;
    const dot = suffix.indexOf('.');
    suffix = dot === -1 ? '' : suffix.slice(dot + 1);
  }
  return false;
}
