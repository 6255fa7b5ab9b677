/**
 * Probe pools (DESIGN §1): a big provider gets a BullMQ queue of its own whose active jobs,
 * across every worker process, are capped at its session limit (queue-global concurrency). Its
 * jobs then never wait behind the long tail, and a job slot is taken only when a session can
 * open, instead of sitting in the provider's throttle. Every other domain shares the `probe`
 * queue, where the Redis session gate alone keeps each provider within its limits.
 */
import { hasPool, type Policy, type ProviderRule, poolQueueName, ruleMatches } from './policy.ts';

export { poolQueueName } from './policy.ts';

export interface ProbePool {
  /** BullMQ queue name: `probe-` and the rule's match, made safe. */
  queue: string;
  /** The policy rule's `match`. */
  match: string;
  /**
   * Jobs active at once across every worker: the rule's session limit, per egress the provider
   * may use (each egress has a budget of its own).
   */
  concurrency: number;
  /** The rule's RCPTs per session: a pool job is a few sessions' worth. */
  maxRcptsPerSession: number;
}

function toPool(rule: ProviderRule, policy: Policy, egresses: readonly string[]): ProbePool {
  const allowed = rule.egress ? egresses.filter((name) => rule.egress?.includes(name)) : egresses;
  return {
    queue: poolQueueName(rule.match),
    match: rule.match,
    concurrency:
      (rule.maxConcurrentSessions ?? policy.defaults.maxConcurrentSessions) *
      Math.max(1, allowed.length),
    maxRcptsPerSession: rule.maxRcptsPerSession ?? policy.defaults.maxRcptsPerSession,
  };
}

/**
 * Every pool the policy defines, one per queue name: a rule repeating an earlier rule's match
 * replaces its pool. `egresses`: the names of the process's egresses.
 */
export function probePools(policy: Policy, egresses: readonly string[] = ['default']): ProbePool[] {
  const pools = new Map<string, ProbePool>();
  for (const rule of policy.providers) {
    if (!hasPool(rule)) continue;
    const pool = toPool(rule, policy, egresses);
    pools.set(pool.queue, pool);
  }
  return [...pools.values()];
}

/** The pool of an MX host, if a pool rule matches it (the last one, as in `policyFor`). */
export function poolFor(policy: Policy, mxHost: string, provider: string): ProbePool | undefined {
  let found: ProviderRule | undefined;
  for (const rule of policy.providers) {
    if (hasPool(rule) && ruleMatches(rule, mxHost, provider)) found = rule;
  }
  if (!found) return undefined;
  const queue = poolQueueName(found.match);
  // The pool as registered: a later rule with the same match may have replaced its limits.
  return probePools(policy).find((pool) => pool.queue === queue);
}
