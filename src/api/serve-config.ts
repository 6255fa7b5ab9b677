/** What `listclean serve` needs beyond what readEnv already checked. */
import type { RawConfig } from '../config/env.ts';
import { ListcleanError } from '../errors.ts';

export function assertServeConfig(config: Pick<RawConfig, 'API_KEYS' | 'ADMIN_KEY'>): void {
  if (config.API_KEYS.length === 0) {
    throw new ListcleanError(
      'config_invalid',
      'API_KEYS is not set, so no one could use the API. Set API_KEYS=tenant:key ' +
        '(keys of 16+ characters; comma-separate several, e.g. API_KEYS=acme:<key>,globex:<key>).',
    );
  }
  if (config.ADMIN_KEY !== '' && config.ADMIN_KEY.length < 16) {
    throw new ListcleanError(
      'config_invalid',
      'ADMIN_KEY is shorter than 16 characters; use a long random key (or unset it to turn the ' +
        'queue dashboard off).',
    );
  }
}
