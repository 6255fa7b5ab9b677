/**
 * One cron-parser: schedules are validated (src/pipeline/schedule.ts) with the same version
 * bullmq fires them with, and it is installed once. A bullmq update that moves its pin fails
 * here: set `cron-parser` in package.json to bullmq's version.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { nextFiring } from '../../src/pipeline/schedule.ts';

const require = createRequire(import.meta.url);

interface Manifest {
  version: string;
  dependencies: Record<string, string>;
}

describe('cron-parser', () => {
  it('is the version bullmq pins, installed once', () => {
    const ours = require('../../package.json') as Manifest;
    const bullmqManifest = require.resolve('bullmq/package.json');
    const bullmq = require(bullmqManifest) as Manifest;
    expect(ours.dependencies['cron-parser']).toBe(bullmq.dependencies['cron-parser']);
    // bullmq resolves the same copy as we do: no nested node_modules/cron-parser.
    const fromBullmq = createRequire(bullmqManifest).resolve('cron-parser/package.json');
    expect(fromBullmq).toBe(require.resolve('cron-parser/package.json'));
    expect((require(fromBullmq) as Manifest).version).toBe(ours.dependencies['cron-parser']);
  });

  it('validates schedules with that version', () => {
    const next = nextFiring('0 3 * * *', 'UTC');
    expect(next.getUTCHours()).toBe(3);
    expect(next.getUTCMinutes()).toBe(0);
    expect(next.getTime()).toBeGreaterThan(Date.now());
  });
});
