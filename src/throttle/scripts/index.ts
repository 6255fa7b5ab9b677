/**
 * The session gate's Lua scripts (`.lua` files beside this module), each run atomically for
 * every worker. Those that measure time read the Redis server's clock (redis-now.lua).
 */
import { luaScript, luaText } from '../../redis/script.ts';

const file = (name: string) => new URL(`./${name}.lua`, import.meta.url);
const REDIS_NOW = luaText(file('redis-now'));

export const ACQUIRE_LEASE = luaScript('lcGateAcquire', 3, file('acquire-lease'), REDIS_NOW);
export const GATE_STATS = luaScript('lcGateStats', 3, file('gate-stats'), REDIS_NOW);
export const PENALISE_PROVIDER = luaScript(
  'lcGatePenalise',
  2,
  file('penalise-provider'),
  REDIS_NOW,
);
export const RENEW_LEASE = luaScript('lcGateRenew', 1, file('renew-lease'), REDIS_NOW);
export const REWARD_PROVIDER = luaScript('lcGateReward', 1, file('reward-provider'));
