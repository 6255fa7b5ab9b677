/**
 * Where the in-process probe workers' time goes, measured by wrapping the runtime's session
 * gates (the shared queue's and the pools') and catch-all store (bench-only; src is untouched):
 * time holding an SMTP session lease per provider, time waiting for a session slot (and how
 * often that ended in a re-queue), and time waiting for another batch's catch-all probe answer
 * (and how often none came).
 */
import type { Runtime } from '../../src/runtime/runtime.ts';
import type { Release, SessionGate } from '../../src/throttle/session-gate.ts';

export interface SlotAccounting {
  sessions: number;
  sessionMs: number;
  /** Session time per provider key. */
  sessionMsByProvider: Record<string, number>;
  gateWaits: number;
  gateWaitMs: number;
  /** Gate waits that gave up (ThrottledError): the job went back to the queue as delayed. */
  throttled: number;
  catchAllWaits: number;
  catchAllWaitMs: number;
  /** Catch-all waits that returned without an answer (the batch's accepted addresses retry). */
  catchAllUnanswered: number;
}

export function instrumentRuntime(rt: Runtime): SlotAccounting {
  const acc: SlotAccounting = {
    sessions: 0,
    sessionMs: 0,
    sessionMsByProvider: {},
    gateWaits: 0,
    gateWaitMs: 0,
    throttled: 0,
    catchAllWaits: 0,
    catchAllWaitMs: 0,
    catchAllUnanswered: 0,
  };
  const store = rt.round.catchAll;
  const waitFor = store.waitFor.bind(store);
  store.waitFor = async (domain, timeoutMs) => {
    const started = performance.now();
    try {
      const answer = await waitFor(domain, timeoutMs);
      if (answer === undefined) acc.catchAllUnanswered += 1;
      return answer;
    } finally {
      acc.catchAllWaits += 1;
      acc.catchAllWaitMs += performance.now() - started;
    }
  };
  for (const gate of new Set([rt.round.gate, rt.poolRound.gate])) wrapGate(gate, acc);
  return acc;
}

function wrapGate(gate: SessionGate, acc: SlotAccounting): void {
  const acquire = gate.acquire.bind(gate);
  gate.acquire = async (provider, limits) => {
    const started = performance.now();
    let release: Release;
    try {
      release = await acquire(provider, limits);
    } catch (error) {
      acc.throttled += 1;
      throw error;
    } finally {
      acc.gateWaits += 1;
      acc.gateWaitMs += performance.now() - started;
    }
    const opened = performance.now();
    acc.sessions += 1;
    return () => {
      const ms = performance.now() - opened;
      acc.sessionMs += ms;
      acc.sessionMsByProvider[provider] = (acc.sessionMsByProvider[provider] ?? 0) + ms;
      release();
    };
  };
}
