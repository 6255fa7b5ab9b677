/** Which secrets sign a tenant's webhooks: one per API key of the tenant (see signature.ts). */
import type { RawConfig } from '../config/env.ts';
import { webhookSecret } from './signature.ts';

export function tenantSecrets(config: Pick<RawConfig, 'API_KEYS'>, tenant: string): string[] {
  return config.API_KEYS.filter((k) => k.tenant === tenant).map((k) => webhookSecret(k.key));
}
