/** Points listclean's verification at a sandbox world, with timeouts short enough for tests. */
import { readEnv } from '../../src/config/env.ts';
import type { SandboxWorld } from '../../src/sandbox/index.ts';
import type { AddressResult } from '../../src/verdict/result.ts';
import { createRoundContext } from '../../src/verify/context.ts';
import type { RoundContext } from '../../src/verify/domain-round.ts';
import { type VerifyRunOptions, verifyAddresses } from '../../src/verify/verify-addresses.ts';
import { REDIS_URL } from './redis-url.ts';

export const TEST_ENV = {
  HELO_NAME: 'probe.listclean.test',
  MAIL_FROM: 'verify@listclean.test',
  SMTP_CONNECT_TIMEOUT: '1s',
  SMTP_BANNER_TIMEOUT: '600ms',
  SMTP_COMMAND_TIMEOUT: '1500ms',
  DNS_TIMEOUT: '500ms',
};

export async function contextFor(
  world: Pick<SandboxWorld, 'env'>,
  env: Record<string, string> = {},
): Promise<RoundContext> {
  return createRoundContext(readEnv({ REDIS_URL, ...world.env, ...TEST_ENV, ...env }));
}

export async function verifyIn(
  ctx: RoundContext,
  emails: string[],
  options: Partial<VerifyRunOptions> = {},
): Promise<Map<string, AddressResult>> {
  const results = await verifyAddresses(emails, ctx, {
    concurrency: 8,
    greylistDelaysMs: [100, 100],
    waitForGreylist: true,
    transientRetries: 0,
    transientBackoffMs: 50,
    ...options,
  });
  return new Map(results.map((r) => [r.email, r]));
}
