import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLD_TAIL } from '../../src/metrics/fold-tail.ts';
import { defineScripts, runScript } from '../../src/redis/script.ts';
import { type RedisFixture, redisFixture } from '../redis/redis-fixture.ts';

let fx: RedisFixture;

beforeAll(() => {
  fx = redisFixture();
});
afterAll(() => fx.close());

async function fold(key: string, keep: number, threshold: number, composite: boolean) {
  const redis = await fx.connect();
  defineScripts(redis, [FOLD_TAIL]);
  const folded = await runScript(
    redis,
    FOLD_TAIL,
    [key],
    [keep, threshold, composite ? '1' : '0', '|', 'other'],
  );
  return { folded, hash: await redis.hgetall(key) };
}

describe('folding the long tail of providers in Redis', () => {
  it('leaves a hash under the threshold alone', async () => {
    const redis = await fx.connect();
    const key = `${fx.prefix}small`;
    await redis.hset(key, { a: 1, b: 2, c: 3 });
    const { folded, hash } = await fold(key, 1, 3, false);
    expect(folded).toBe(0);
    expect(hash).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('keeps the top providers and moves the others into other, sum unchanged', async () => {
    const redis = await fx.connect();
    const key = `${fx.prefix}flat`;
    await redis.hset(key, { a: 10, b: 5, c: 1, d: 2, other: 4 });
    const { folded, hash } = await fold(key, 2, 3, false);
    expect(folded).toBe(2);
    expect(hash).toEqual({ a: '10', b: '5', other: '7' });
  });

  it('groups `<code>|<provider>` fields by provider and keeps each code', async () => {
    const redis = await fx.connect();
    const key = `${fx.prefix}replies`;
    await redis.hset(key, {
      '250|big': 100,
      '550|big': 1,
      '250|mid': 20,
      '250|small': 3,
      '550|small': 4,
      '450|tiny': 1,
    });
    const { hash } = await fold(key, 2, 4, true);
    expect(hash).toEqual({
      '250|big': '100',
      '550|big': '1',
      '250|mid': '20',
      '250|other': '3',
      '550|other': '4',
      '450|other': '1',
    });
  });
});
