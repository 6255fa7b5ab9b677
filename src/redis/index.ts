/**
 * State shared by every worker process (DESIGN §1, §7): per-provider session gates, catch-all
 * answers, the global verdict cache and per-list results. Keys live under a caller-given prefix.
 */

export type { RedisCatchAllStoreOptions } from './catch-all-store.ts';
export { RedisCatchAllStore } from './catch-all-store.ts';
export type { CachedVerdict } from './compact-verdict.ts';
export {
  DETAIL_MAX_CHARS,
  decodeVerdict,
  encodeVerdict,
  truncateDetail,
} from './compact-verdict.ts';
export type { CreateRedisOptions } from './connect.ts';
export { createRedis, openCacheRedis, type RedisClient, scanTargets } from './connect.ts';
export { deletePrefix } from './delete-prefix.ts';
export type { GateKeys } from './keys.ts';
export {
  breakerKey,
  catchAllKey,
  catchAllProbeKey,
  egressDownKey,
  egressOwnersKey,
  gateKeys,
  jobIds,
  listKeys,
  verdictKey,
} from './keys.ts';
export type { ListResultsOptions } from './list-results.ts';
export { ListResults } from './list-results.ts';
export type { VerdictCacheOptions, VerdictLookup } from './verdict-cache.ts';
export { VerdictCache } from './verdict-cache.ts';
