import { describe, expect, it } from 'vitest';
import { parseDuration, parseDurationList } from '../../src/config/duration.ts';
import { CONFIG_KEYS, readEnv } from '../../src/config/env.ts';

describe('readEnv', () => {
  it('has a default for everything', () => {
    const config = readEnv({});
    expect(config.SMTP_PORT).toBe(25);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.STORAGE_URL).toBe('file:./data');
    expect(config.ALLOW_PRIVATE_MX).toEqual({ kind: 'none' });
    expect(config.DNS_SERVERS).toEqual([]);
    expect(config.GREYLIST_RETRY_DELAYS).toEqual([
      300_000, 900_000, 2_700_000, 7_200_000, 21_600_000,
    ]);
    expect(config.PORT).toBe(8080);
  });

  it('reads and converts values', () => {
    const config = readEnv({
      SMTP_PORT: '2525',
      DNS_SERVERS: '127.0.0.1:5353, 10.0.0.53',
      ALLOW_PRIVATE_MX: '1',
      GREYLIST_RETRY_DELAYS: '200ms,400ms,800ms',
      API_KEYS: 'acme:0123456789abcdef,globex:fedcba9876543210',
      CACHE_MAX_AGE: '0',
    });
    expect(config.SMTP_PORT).toBe(2525);
    expect(config.DNS_SERVERS).toEqual(['127.0.0.1:5353', '10.0.0.53']);
    expect(config.ALLOW_PRIVATE_MX).toEqual({ kind: 'all' });
    expect(readEnv({ ALLOW_PRIVATE_MX: '127.0.0.0/8, ::1/128' }).ALLOW_PRIVATE_MX).toEqual({
      kind: 'ranges',
      ranges: ['127.0.0.0/8', '::1/128'],
    });
    expect(config.GREYLIST_RETRY_DELAYS).toEqual([200, 400, 800]);
    expect(config.API_KEYS).toEqual([
      { tenant: 'acme', key: '0123456789abcdef' },
      { tenant: 'globex', key: 'fedcba9876543210' },
    ]);
    expect(config.CACHE_MAX_AGE).toBe(0);
  });

  it('names the variable, the value and what it wants', () => {
    expect(() => readEnv({ SMTP_PORT: 'abc' })).toThrow(
      /SMTP_PORT: got "abc", want an integer from 1 to 65535/,
    );
    expect(() => readEnv({ GREYLIST_RETRY_DELAYS: '5m,soon' })).toThrow(
      /GREYLIST_RETRY_DELAYS: got "5m,soon"/,
    );
    expect(() => readEnv({ STORAGE_URL: 'ftp://x' })).toThrow(
      /STORAGE_URL.*want file:<directory> or s3:/,
    );
    expect(() => readEnv({ DNS_SERVERS: 'not-an-ip' })).toThrow(/DNS_SERVERS/);
    expect(() => readEnv({ ALLOW_PRIVATE_MX: 'maybe' })).toThrow(/ALLOW_PRIVATE_MX/);
  });

  it('reports every bad variable at once, with the config_invalid code', () => {
    try {
      readEnv({ SMTP_PORT: '0', PORT: 'x' });
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('config_invalid');
      expect((error as Error).message).toMatch(/SMTP_PORT.*PORT/);
    }
  });

  it('lists the variables of DESIGN §5', () => {
    for (const key of [
      'REDIS_URL',
      'STORAGE_URL',
      'S3_ENDPOINT',
      'DNS_SERVERS',
      'SMTP_PORT',
      'HELO_NAME',
      'MAIL_FROM',
      'ALLOW_PRIVATE_MX',
      'GREYLIST_RETRY_DELAYS',
      'THROTTLE_POLICY',
      'CACHE_MAX_AGE',
      'API_KEYS',
      'PORT',
      'LOG_LEVEL',
    ]) {
      expect(CONFIG_KEYS).toContain(key);
    }
  });
});

describe('durations', () => {
  it('parses units and lists', () => {
    expect(parseDuration('200ms')).toBe(200);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('5 minutes')).toBeNull();
    expect(parseDurationList('5m, 15m,45m')).toEqual([300_000, 900_000, 2_700_000]);
    expect(parseDurationList('5m,x')).toBeNull();
  });
});
