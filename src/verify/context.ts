/** Builds the verification context (resolver, SMTP settings, policy) from the configuration. */
import type { RawConfig } from '../config/env.ts';
import { MxResolver } from '../dns/index.ts';
import { lookupDnsSignals } from '../dns/signals.ts';
import { egressesOf } from '../egress/config.ts';
import { type EgressCooldown, LocalEgressCooldown } from '../egress/cooldown.ts';
import { checkPolicyEgresses, DEFAULT_LIMITS, loadPolicy, type Policy } from '../policy/policy.ts';
import { LocalProviderBreaker, type ProviderBreaker } from '../throttle/breaker.ts';
import { LocalSessionGate, type SessionGate } from '../throttle/session-gate.ts';
import { type CatchAllStore, MemoryCatchAllStore } from './catch-all-cache.ts';
import type { RoundContext } from './domain-round.ts';

export function mailFromFor(config: Pick<RawConfig, 'MAIL_FROM' | 'HELO_NAME'>): string {
  return config.MAIL_FROM || `verify@${config.HELO_NAME}`;
}

/** The policy file if any; SMTP_MAX_* set the defaults it does not override. */
export async function policyFromConfig(
  config: Pick<
    RawConfig,
    'THROTTLE_POLICY' | 'SMTP_MAX_RCPTS_PER_SESSION' | 'SMTP_MAX_REJECTS_PER_SESSION'
  >,
): Promise<Policy> {
  const base = {
    ...DEFAULT_LIMITS,
    maxRcptsPerSession: config.SMTP_MAX_RCPTS_PER_SESSION,
    maxRejectsPerSession: config.SMTP_MAX_REJECTS_PER_SESSION,
  };
  return config.THROTTLE_POLICY
    ? loadPolicy(config.THROTTLE_POLICY, base)
    : { defaults: base, providers: [] };
}

export async function createRoundContext(
  config: RawConfig,
  overrides: {
    policy?: Policy;
    catchAll?: CatchAllStore;
    gate?: SessionGate;
    breaker?: ProviderBreaker;
    egressCooldown?: EgressCooldown;
  } = {},
): Promise<RoundContext> {
  const resolver = new MxResolver({ servers: config.DNS_SERVERS, timeoutMs: config.DNS_TIMEOUT });
  const policy = overrides.policy ?? (await policyFromConfig(config));
  const egresses = egressesOf(config);
  checkPolicyEgresses(
    policy,
    egresses.map((egress) => egress.name),
    config.THROTTLE_POLICY || 'the policy',
  );
  return {
    resolveMx: (domain) => resolver.resolveMx(domain),
    // Through the same resolver: DNS_SERVERS, timeouts, retries and its cache.
    resolveSignals: (domain) => lookupDnsSignals(domain, (name) => resolver.resolveTxt(name)),
    policy,
    smtp: {
      port: config.SMTP_PORT,
      heloName: config.HELO_NAME,
      mailFrom: mailFromFor(config),
      timeouts: {
        connectMs: config.SMTP_CONNECT_TIMEOUT,
        bannerMs: config.SMTP_BANNER_TIMEOUT,
        commandMs: config.SMTP_COMMAND_TIMEOUT,
        quitMs: Math.min(5000, config.SMTP_COMMAND_TIMEOUT),
      },
      pipelining: config.SMTP_PIPELINING,
      starttls: config.SMTP_STARTTLS,
      maxRcptsPerSession: config.SMTP_MAX_RCPTS_PER_SESSION,
      maxRejectsPerSession: config.SMTP_MAX_REJECTS_PER_SESSION,
      midSessionRetries: 1,
    },
    egresses,
    egressCooldown: overrides.egressCooldown ?? new LocalEgressCooldown(config.EGRESS_COOLDOWN),
    allowPrivateMx: config.ALLOW_PRIVATE_MX,
    catchAll: overrides.catchAll ?? new MemoryCatchAllStore(),
    gate: overrides.gate ?? new LocalSessionGate(),
    breaker: overrides.breaker ?? new LocalProviderBreaker(config.BREAKER_COOLDOWN),
  };
}
