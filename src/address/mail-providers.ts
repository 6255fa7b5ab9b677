/**
 * The mailbox providers listed by the `email-providers` package, throwaway services removed.
 * The list is what mail was seen going to, so it also holds typo domains (`gmial.com`,
 * `yaho.com`): `free.ts` sorts those out.
 */
import { isDisposableDomain } from './disposable.ts';
import { loadDomainList } from './domain-lists.ts';

let listed: Set<string> | undefined;

export function isListedMailProvider(domain: string): boolean {
  // email-providers mixes throwaway services (mailinator.com, …) in with the real providers;
  // those are reported as disposable, never as free.
  listed ??= new Set(
    loadDomainList('email-providers/all.json').filter((entry) => !isDisposableDomain(entry)),
  );
  return listed.has(domain);
}
