/**
 * The pipelined bound's model (bench/cases/ideal-bound.ts): two round trips of set-up per session
 * and one per window of at most maxRejectsPerSession RCPTs, against the sequential model's one
 * reply per command.
 */
import { describe, expect, it } from 'vitest';
import { PIPELINED_COST, SEQUENTIAL_COST } from '../../bench/cases/ideal-bound.ts';

const limits = { maxRcptsPerSession: 50, maxRejectsPerSession: 8 };

describe('the pipelined bound', () => {
  it('counts set-up per session and one round trip per full window', () => {
    // 42 RCPTs with 9 rejections: 2 sessions (rejections), 6 windows of 8 (RCPTs).
    expect(PIPELINED_COST(42, 9, limits)).toEqual({ sessions: 2, replies: 2 * 2 + 6 });
    // The sequential model of the same domain: 4 replies per session and one per RCPT.
    expect(SEQUENTIAL_COST(42, 9, limits)).toEqual({ sessions: 2, replies: 42 + 4 * 2 });
  });

  it('never counts fewer windows than sessions, and RCPT budgets still split sessions', () => {
    // 3 RCPTs, 3 rejections, a budget of 1 rejection: 3 sessions of one window each.
    expect(PIPELINED_COST(3, 3, { maxRcptsPerSession: 50, maxRejectsPerSession: 1 })).toEqual({
      sessions: 3,
      replies: 3 * 2 + 3,
    });
    // 120 RCPTs, none rejected, 50 a session: 3 sessions, 15 windows.
    expect(PIPELINED_COST(120, 0, limits)).toEqual({ sessions: 3, replies: 3 * 2 + 15 });
  });
});
