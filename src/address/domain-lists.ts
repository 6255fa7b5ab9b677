/**
 * Loads the domain lists shipped as JSON by npm packages. `require` keeps the load lazy (first
 * use, not import time: the disposable list alone is ~120k names) and works the same under
 * node, tsx and vitest.
 */
import { createRequire } from 'node:module';
import { ListcleanError } from '../errors.ts';

const require = createRequire(import.meta.url);

/** The lower-case domains of a JSON array file; throws a coded error if the package changed. */
export function loadDomainList(specifier: string): string[] {
  let data: unknown;
  try {
    data = require(specifier);
  } catch (cause) {
    throw new ListcleanError(
      'address_data_missing',
      `cannot load the domain list ${specifier}: run npm install in the listclean checkout`,
      { cause },
    );
  }
  if (!Array.isArray(data) || !data.every((entry) => typeof entry === 'string')) {
    throw new ListcleanError(
      'address_data_invalid',
      `the domain list ${specifier} is not a JSON array of strings: reinstall the package or ` +
        'pin the version in package.json',
    );
  }
  return data.map((domain: string) => domain.trim().toLowerCase());
}
