/**
 * Throttling towards providers: the session gate (concurrent sessions and new connections per
 * minute, in process or in Redis for every worker, with AIMD), the error a caller gets instead
 * of waiting too long, and the breaker for providers that refuse us.
 */
export type { BreakerState, ProviderBreaker } from './breaker.ts';
export { BreakerOpenError, LocalProviderBreaker } from './breaker.ts';
export { RedisProviderBreaker } from './redis-breaker.ts';
export type { GateStats, RedisSessionGateOptions } from './redis-session-gate.ts';
export { RedisSessionGate } from './redis-session-gate.ts';
export type { Release, SessionGate } from './session-gate.ts';
export { LocalSessionGate } from './session-gate.ts';
export type { ThrottleReason } from './throttled-error.ts';
export { ThrottledError } from './throttled-error.ts';
