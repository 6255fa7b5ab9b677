/**
 * The domain list packages load as JSON arrays of domains; a missing package or one whose file
 * changed shape stops with address_data_missing / address_data_invalid, not a wrong answer.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DISPOSABLE_LIST, isDisposableDomain } from '../../src/address/disposable.ts';
import { loadDomainList } from '../../src/address/domain-lists.ts';
import { ListcleanError } from '../../src/errors.ts';

const require = createRequire(import.meta.url);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ListcleanError ? error.code : `not coded: ${String(error)}`;
  }
  return undefined;
}

describe('loadDomainList', () => {
  it('loads the disposable list: lower-case domains, well over 100k of them', () => {
    const domains = loadDomainList(DISPOSABLE_LIST);
    expect(domains.length).toBeGreaterThan(100_000);
    expect(domains).toContain('mailinator.com');
    expect(domains.every((domain) => domain === domain.trim().toLowerCase())).toBe(true);
  });

  it('loads the free-mail list', () => {
    expect(loadDomainList('email-providers/all.json')).toContain('gmail.com');
  });

  it('says address_data_missing for a package that is not installed', () => {
    expect(codeOf(() => loadDomainList('listclean-no-such-list/index.json'))).toBe(
      'address_data_missing',
    );
  });

  it('says address_data_invalid for a file that is no array of strings', () => {
    // A package.json is JSON, but an object.
    expect(codeOf(() => loadDomainList('disposable-domains/package.json'))).toBe(
      'address_data_invalid',
    );
  });
});

describe('the disposable-domains package', () => {
  it('is the one in package.json, and every entry covers its subdomains', () => {
    const manifest = require('../../package.json') as { dependencies: Record<string, string> };
    expect(manifest.dependencies['disposable-domains']).toBeDefined();
    expect(manifest.dependencies).not.toHaveProperty('disposable-email-domains');
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(isDisposableDomain('a.b.mailinator.com')).toBe(true);
    expect(isDisposableDomain('mailinator.com.acme-corp.com')).toBe(false);
    expect(isDisposableDomain('gmail.com')).toBe(false);
  });

  it('never lets an entry that is a public suffix cover everything under it', () => {
    // The list holds edu.pl and edu.kg; Polish and Kyrgyz universities are not throwaway mail.
    expect(loadDomainList(DISPOSABLE_LIST)).toEqual(expect.arrayContaining(['edu.pl', 'edu.kg']));
    expect(isDisposableDomain('uw.edu.pl')).toBe(false);
    expect(isDisposableDomain('mail.uw.edu.pl')).toBe(false);
    expect(isDisposableDomain('auca.edu.kg')).toBe(false);
  });
});
