/**
 * The domains a typo fix may point to: big consumer mailbox providers. A company list is full
 * of short real domains one slip away from `aol.com` or `me.com`; a wrong suggestion there
 * costs more than a missed one, so the set is deliberately narrow.
 */
import emailSpellChecker from '@zootools/email-spell-checker';
import { DeletionIndex } from './deletion-index.ts';
import { isDisposableDomain } from './disposable.ts';
import { loadDomainList } from './domain-lists.ts';
import { editDistance } from './edit-distance.ts';
import { isListedMailProvider } from './mail-providers.ts';
import { hasPublicTld, registrableLabel } from './public-suffix.ts';

/** Big providers the spell checker's own list lacks. */
const MORE_PROVIDER_DOMAINS = [
  'hotmail.co.uk',
  'hotmail.com',
  'hotmail.fr',
  'laposte.net',
  'libero.it',
  'orange.fr',
  'outlook.com',
  't-online.de',
  'wanadoo.fr',
  'yahoo.co.uk',
  'yahoo.com',
  'yahoo.fr',
  'yandex.ru',
];

/** In the spell checker's list, but no big provider: `mails.com` is not a typo of it. */
const NOT_BIG_PROVIDERS = new Set(['mailw.com']);

/** Whole domains checked for typos, the spell checker's popular list and ours. */
export const PROVIDER_DOMAINS = [
  ...new Set([...emailSpellChecker.POPULAR_DOMAINS, ...MORE_PROVIDER_DOMAINS]),
].filter((domain) => !NOT_BIG_PROVIDERS.has(domain));

/**
 * Provider names fixed under any TLD (`yaho.fr` → `yahoo.fr`). The spell checker's defaults
 * also hold `mail` and `live`: ordinary words, one letter from many company names.
 */
export const PROVIDER_NAMES = ['yahoo', 'hotmail', 'outlook'];

/**
 * Short provider names (`aol`, `me`, `qq`, `msn`) are one slip from too many real companies
 * (`aon.com`, `ge.com`) to suggest them.
 */
const MIN_PROVIDER_LABEL = 5;

/**
 * Real providers one slip from a bigger one, which must never be "corrected" into it
 * (`ymail.com` is Yahoo's, not a typo of `gmail.com`). Reviewed against the package lists:
 * test/address/suggest.test.ts fails when a list update adds a new neighbour.
 */
export const GENUINE_NEIGHBOURS = new Set([
  '5ymail.com',
  'earthling.net',
  'email.com',
  'liberto.it',
  'mail.com',
  'tmail.com',
  'uymail.com',
  'xmail.com',
  'y7mail.com',
]);

let targets: Set<string> | undefined;
let index: DeletionIndex | undefined;

function firstLabel(domain: string): string {
  const dot = domain.indexOf('.');
  return dot === -1 ? domain : domain.slice(0, dot);
}

function allowedTargets(): Set<string> {
  if (targets) return targets;
  // Regional domains of the named providers (yahoo.co.jp, hotmail.de), but not the typo
  // catchers the list also holds: hotmail.cm is one slip from hotmail.com.
  const named = loadDomainList('email-providers/all.json').filter(
    (domain) =>
      PROVIDER_NAMES.includes(firstLabel(domain)) &&
      isListedMailProvider(domain) &&
      !PROVIDER_DOMAINS.some(
        (provider) => provider !== domain && editDistance(domain, provider) <= 1,
      ),
  );
  targets = new Set(
    [...PROVIDER_DOMAINS, ...named].filter(
      (domain) =>
        !isDisposableDomain(domain) &&
        hasPublicTld(domain) &&
        registrableLabel(domain).length >= MIN_PROVIDER_LABEL,
    ),
  );
  return targets;
}

export function isProviderTarget(domain: string): boolean {
  return allowedTargets().has(domain);
}

/** Cheap gate: whether any target is within one edit of `domain`. */
export function isNearProviderTarget(domain: string): boolean {
  index ??= new DeletionIndex(allowedTargets());
  return index.near(domain).length > 0;
}

/**
 * Whether the fix only swaps the top-level part (`gmail.co` → `gmail.com`). Those are common
 * typos of `.com` and `.net`, but between two real country domains (`outlook.pt`,
 * `outlook.it`) they are guesses, so they may only lead to a big provider's .com or .net.
 */
export function isAcceptedSuffixSwap(domain: string, candidate: string): boolean {
  if (firstLabel(domain) !== firstLabel(candidate)) return true;
  const suffix = candidate.slice(candidate.indexOf('.') + 1);
  return PROVIDER_DOMAINS.includes(candidate) && (suffix === 'com' || suffix === 'net');
}
