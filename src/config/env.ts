/**
 * The one place that reads the environment (DESIGN §5). Every variable is optional; a bad value
 * stops start-up with a message naming the variable, what it got and what it wants.
 */

import net from 'node:net';
import os from 'node:os';
import { z } from 'zod';
import { parseDnsServers } from '../dns/index.ts';
import { type MxAllowance, parseMxAllowance } from '../dns/mx-allowance.ts';
import { BIG_MAIL_PROVIDERS } from '../dns/provider.ts';
import { parseProxy, type SocksProxy } from '../egress/config.ts';
import { ListcleanError } from '../errors.ts';
import { parseRedisUrl } from '../redis/redis-url.ts';
import { parseDuration, parseDurationList } from './duration.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Check<T> = (raw: string) => { ok: true; value: T } | { ok: false; want: string };

const integer =
  (min: number, max: number): Check<number> =>
  (raw) => {
    const n = Number(raw.trim());
    return Number.isInteger(n) && n >= min && n <= max && raw.trim() !== ''
      ? { ok: true, value: n }
      : { ok: false, want: `an integer from ${min} to ${max}` };
  };

const flag: Check<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return { ok: true, value: true };
  if (['0', 'false', 'no', 'off', ''].includes(v)) return { ok: true, value: false };
  return { ok: false, want: '1/0, true/false, yes/no or on/off' };
};

const duration: Check<number> = (raw) => {
  const v = parseDuration(raw);
  return v === null
    ? { ok: false, want: 'a duration such as 500ms, 30s, 5m, 2h or 7d' }
    : { ok: true, value: v };
};

const durationList: Check<number[]> = (raw) => {
  const v = parseDurationList(raw);
  return v === null
    ? { ok: false, want: 'comma-separated durations such as 5m,15m,45m,2h,6h' }
    : { ok: true, value: v };
};

const text: Check<string> = (raw) => ({ ok: true, value: raw.trim() });

/** A URL with one of `schemes`, or empty for "not set". */
const url =
  (schemes: string[]): Check<string> =>
  (raw) => {
    if (raw.trim() === '') return { ok: true, value: '' };
    const ok =
      z.url().safeParse(raw.trim()).success && schemes.some((s) => raw.trim().startsWith(s));
    return ok
      ? { ok: true, value: raw.trim() }
      : { ok: false, want: `a URL starting with ${schemes.join(' or ')}` };
  };

const redisUrl: Check<string> = (raw) =>
  parseRedisUrl(raw)
    ? { ok: true, value: raw.trim() }
    : {
        ok: false,
        want: 'redis://host:port (rediss:// for TLS), or redis-cluster://host:port[,host:port…] for a Redis Cluster',
      };

/** A port, or empty for "none" (0). */
const optionalPort: Check<number> = (raw) =>
  raw.trim() === '' ? { ok: true, value: 0 } : integer(1, 65535)(raw);

const optionalRedisUrl: Check<string> = (raw) =>
  raw.trim() === '' ? { ok: true, value: '' } : redisUrl(raw);

const storageUrl: Check<string> = (raw) => {
  const v = raw.trim();
  if (/^file:.+/.test(v) || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(v))
    return { ok: true, value: v };
  return { ok: false, want: 'file:<directory> or s3://<bucket>[/<prefix>]' };
};

const mailbox: Check<string> = (raw) => {
  const v = raw.trim();
  return /^[^\s@<>\r\n\0]+@[a-z0-9.-]+$/i.test(v) || v === ''
    ? { ok: true, value: v }
    : {
        ok: false,
        want: 'an address such as verify@mail.example.com (or empty for the null sender)',
      };
};

const hostname: Check<string> = (raw) => {
  const v = raw.trim();
  return /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(
    v,
  ) || /^\[[0-9a-f:.]+\]$/i.test(v)
    ? { ok: true, value: v }
    : {
        ok: false,
        want: 'a host name such as mail.example.com (what your IP reverse-resolves to)',
      };
};

const dnsServers: Check<string[]> = (raw) => {
  try {
    return { ok: true, value: raw.trim() === '' ? [] : parseDnsServers(raw) };
  } catch (error) {
    return { ok: false, want: `comma-separated ip or ip:port (${(error as Error).message})` };
  }
};

const mxAllowance: Check<MxAllowance> = (raw) => {
  const value = parseMxAllowance(raw);
  return value
    ? { ok: true, value }
    : { ok: false, want: '0, 1, or comma-separated CIDR ranges such as 127.0.0.0/8' };
};

const ipList: Check<string[]> = (raw) => {
  const values = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return values.every((v) => net.isIP(v) !== 0)
    ? { ok: true, value: values }
    : { ok: false, want: 'comma-separated IP addresses of this host' };
};

const proxies: Check<Array<{ name: string; proxy: SocksProxy }>> = (raw) => {
  const entries = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const parsed = entries.map(parseProxy);
  const names = parsed.map((p) => p?.name);
  if (parsed.some((p) => p === null) || new Set(names).size !== names.length) {
    return {
      ok: false,
      want: 'comma-separated [name=]socks5://[user:pass@]host:port, names unique (letters, digits, . _ -)',
    };
  }
  return { ok: true, value: parsed as Array<{ name: string; proxy: SocksProxy }> };
};

const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** A host name or an IP address (`listclean doctor`'s probe host). */
const hostOrIp: Check<string> = (raw) => {
  const v = raw.trim().replace(/\.$/, '');
  return net.isIP(v) !== 0 || (DNS_NAME.test(v) && v.includes('.'))
    ? { ok: true, value: v.toLowerCase() }
    : { ok: false, want: 'a mail server host name such as mx.example.com, or an IP address' };
};

/** DNS zones, comma-separated; empty = none. */
const zoneList: Check<string[]> = (raw) => {
  const zones = raw
    .split(',')
    .map((v) => v.trim().toLowerCase().replace(/\.$/, ''))
    .filter(Boolean);
  return zones.every((zone) => DNS_NAME.test(zone) && zone.includes('.'))
    ? { ok: true, value: zones }
    : { ok: false, want: 'comma-separated DNS zones such as zen.spamhaus.org (empty: none)' };
};

/** `name=ip,…`: the public address an egress is seen from (`listclean doctor`). */
const egressAddresses: Check<Record<string, string>> = (raw) => {
  const entries = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.lastIndexOf('=');
      return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()] as const;
    });
  const names = entries.map(([name]) => name);
  return entries.every(([name, ip]) => name !== '' && net.isIP(ip) !== 0) &&
    new Set(names).size === names.length
    ? { ok: true, value: Object.fromEntries(entries) }
    : {
        ok: false,
        want: 'comma-separated egress=ip pairs such as default=203.0.113.5,eu1=198.51.100.7 (egress: default, a local address or a proxy name)',
      };
};

const providerList: Check<string[]> = (raw) => {
  const values = raw
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  return values.every((v) => /^[a-z0-9.-]{1,253}$/.test(v))
    ? { ok: true, value: values }
    : { ok: false, want: 'comma-separated MX provider domains such as google.com,outlook.com' };
};

const apiKeys: Check<Array<{ tenant: string; key: string }>> = (raw) => {
  const entries = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const parsed = entries.map((entry) => {
    const at = entry.indexOf(':');
    return { tenant: entry.slice(0, at), key: entry.slice(at + 1) };
  });
  const ok = parsed.every((p) => /^[A-Za-z0-9_.-]{1,64}$/.test(p.tenant) && p.key.length >= 16);
  return ok
    ? { ok: true, value: parsed }
    : { ok: false, want: 'tenant:key pairs, comma-separated, each key at least 16 characters' };
};

const logLevel: Check<(typeof LOG_LEVELS)[number]> = (raw) => {
  const v = raw.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(v)
    ? { ok: true, value: v as (typeof LOG_LEVELS)[number] }
    : { ok: false, want: `one of ${LOG_LEVELS.join(', ')}` };
};

const starttlsMode: Check<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (v === 'opportunistic' || v === '1' || v === 'on') return { ok: true, value: true };
  if (v === 'off' || v === '0') return { ok: true, value: false };
  return { ok: false, want: 'opportunistic or off' };
};

/** Every variable listclean reads: name → [check, default, description]. */
const SPEC = {
  REDIS_URL: [redisUrl, 'redis://127.0.0.1:6379', 'Redis for queues, throttles, results'],
  REDIS_PREFIX: [text, 'listclean', 'key prefix, one per deployment sharing a Redis'],
  REDIS_CACHE_URL: [
    optionalRedisUrl,
    '',
    'the verdict cache in a Redis of its own that may evict; empty = REDIS_URL',
  ],
  STORAGE_URL: [storageUrl, 'file:./data', 'where inputs and reports live'],
  S3_ENDPOINT: [url(['http://', 'https://']), '', 'any S3-compatible server (MinIO, …)'],
  S3_PUBLIC_ENDPOINT: [url(['http://', 'https://']), '', 'the same server as downloaders reach it'],
  AWS_ACCESS_KEY_ID: [text, '', 'S3 credentials (the AWS SDK reads these)'],
  AWS_SECRET_ACCESS_KEY: [text, '', 'S3 credentials (the AWS SDK reads these)'],
  AWS_REGION: [text, 'us-east-1', 'S3 region'],
  DNS_SERVERS: [dnsServers, '', 'resolvers for every lookup; empty = system resolver'],
  DNS_TIMEOUT: [duration, '5s', 'per DNS query'],
  SMTP_PORT: [integer(1, 65535), '25', 'port of every MX'],
  HELO_NAME: [hostname, os.hostname(), 'name sent in EHLO/HELO'],
  MAIL_FROM: [mailbox, '', 'envelope sender; empty = verify@HELO_NAME'],
  SMTP_LOCAL_ADDRESSES: [ipList, '', 'source addresses to spread probes over'],
  SMTP_PROXIES: [
    proxies,
    '',
    'SOCKS5 proxies to probe through: [name=]socks5://[user:pass@]host:port,…',
  ],
  ALLOW_PRIVATE_MX: [mxAllowance, '0', 'MX on non-public addresses: 0, 1 or CIDR ranges'],
  SMTP_CONNECT_TIMEOUT: [duration, '10s', 'TCP connect'],
  SMTP_BANNER_TIMEOUT: [duration, '30s', 'wait for the 220 banner'],
  SMTP_COMMAND_TIMEOUT: [duration, '30s', 'each EHLO/MAIL/RCPT reply'],
  SMTP_PIPELINING: [flag, '1', 'pipeline RCPTs when the server offers it'],
  SMTP_STARTTLS: [starttlsMode, 'opportunistic', 'STARTTLS when offered'],
  SMTP_MAX_RCPTS_PER_SESSION: [integer(1, 1000), '50', 'RCPTs per SMTP session'],
  SMTP_MAX_REJECTS_PER_SESSION: [integer(1, 100), '8', 'rejected RCPTs before a session stops'],
  GREYLIST_RETRY_DELAYS: [durationList, '5m,15m,45m,2h,6h', 'waits before greylisted retries'],
  THROTTLE_POLICY: [text, '', 'path of the provider policy file (JSON or YAML)'],
  BREAKER_COOLDOWN: [
    duration,
    '30m',
    'how long a provider that refuses us is left alone (0 = never pause)',
  ],
  EGRESS_COOLDOWN: [
    duration,
    '5m',
    'how long a failing egress (its SOCKS5 proxy) is left out (0 = only for the round that met the failure)',
  ],
  CACHE_MAX_AGE: [duration, '7d', 'reuse cached verdicts younger than this'],
  HYGIENE_MIN_INTERVAL: [
    duration,
    '1h',
    'shortest time allowed between two hygiene runs of a list (schedules that fire more often are refused)',
  ],
  RUNS_KEEP: [
    integer(1, 10_000),
    '30',
    'finished runs kept per list with their reports; older ones are removed',
  ],
  OUTAGE_RETRY_WINDOW: [
    duration,
    '15m',
    'how long ingest and aggregate jobs retry through a storage or Redis outage before the list fails',
  ],
  LIST_DEADLINE: [
    duration,
    '2h',
    'a list (or hygiene run) finalises what still waits this long after it started; 0 = never',
  ],
  DOMAIN_TIME_BUDGET: [
    duration,
    '5m',
    'session time one domain may spend verifying nothing (timeouts, drops) before its remaining addresses are final; 0 = no limit',
  ],
  WORKER_CONCURRENCY: [integer(1, 1000), '32', 'probe jobs one worker process runs at once'],
  WORKER_LOCK_DURATION: [duration, '30s', 'a crashed worker’s jobs are taken over after this'],
  THROTTLE_LEASE_TTL: [duration, '60s', 'a crashed worker’s SMTP session slots free after this'],
  DOCTOR_PROBE_HOST: [
    hostOrIp,
    'gmail-smtp-in.l.google.com',
    '`listclean doctor`: the mail server it opens port 25 towards (resolved through DNS_SERVERS)',
  ],
  DOCTOR_BLOCKLISTS: [
    zoneList,
    'zen.spamhaus.org,b.barracudacentral.org,bl.spamcop.net',
    '`listclean doctor`: DNS blocklist zones each egress address is looked up in; empty = none',
  ],
  DOCTOR_EGRESS_ADDRESSES: [
    egressAddresses,
    '',
    '`listclean doctor`: egress=ip pairs, the public address an egress is seen from (NAT, proxies)',
  ],
  DOCTOR_TIMEOUT: [duration, '20s', '`listclean doctor`: the longest a whole run may take'],
  API_KEYS: [apiKeys, '', 'tenant:key,… for the HTTP API'],
  MAX_UPLOAD_BYTES: [
    integer(1, 100 * 1024 ** 3),
    String(1024 ** 3),
    'largest accepted upload (413 above)',
  ],
  MAX_UPLOAD_ROWS: [integer(1, 1_000_000_000), '10000000', 'most rows in one list (413 above)'],
  API_RATE_LIMIT: [integer(1, 1_000_000), '600', 'requests per minute per API key (429 above)'],
  DOWNLOAD_URL_TTL: [duration, '5m', 'lifetime of presigned report download URLs (S3)'],
  WEBHOOK_ALLOW_PRIVATE: [
    mxAllowance,
    '0',
    'webhook targets on non-public addresses: 0, 1 or CIDR ranges',
  ],
  ADMIN_KEY: [text, '', 'key for the operator dashboard'],
  PORT: [integer(1, 65535), '8080', 'HTTP port of `listclean serve`'],
  HOST: [text, '0.0.0.0', 'interface the HTTP servers listen on (API, worker health)'],
  WORKER_PORT: [
    optionalPort,
    '',
    '`listclean worker` serves /healthz and /metrics on this port; empty = none',
  ],
  METRICS_KEY: [
    text,
    '',
    '/metrics wants `Authorization: Bearer <METRICS_KEY>` when set (API and worker health port)',
  ],
  METRICS_PROVIDERS: [
    providerList,
    BIG_MAIL_PROVIDERS.join(','),
    'MX providers named in metric labels (registrable domain of the MX); the rest are `other`',
  ],
  TRUST_PROXY: [flag, '0', 'trust X-Forwarded-For from a reverse proxy in front of the API'],
  LOG_LEVEL: [logLevel, 'info', 'pino log level'],
} as const;

type Spec = typeof SPEC;
type ValueOf<K extends keyof Spec> = Spec[K][0] extends Check<infer T> ? T : never;
export type RawConfig = { [K in keyof Spec]: ValueOf<K> };

export const CONFIG_KEYS = Object.keys(SPEC) as Array<keyof Spec>;

export function describeConfig(): Array<{ name: string; default: string; description: string }> {
  return CONFIG_KEYS.map((name) => ({ name, default: SPEC[name][1], description: SPEC[name][2] }));
}

/** Variables whose whole value is a secret: an error says how long it was, nothing more. */
const SECRETS = new Set<string>(['API_KEYS', 'ADMIN_KEY', 'AWS_SECRET_ACCESS_KEY', 'METRICS_KEY']);

/** What an error may show of a value: never a secret, never a password inside a URL. */
export function shownValue(name: string, raw: string): string {
  if (SECRETS.has(name)) return `a value of ${raw.length} characters`;
  return JSON.stringify(raw.replace(/(:\/\/[^:@/,\s]*:)[^@,\s]*@/g, '$1***@'));
}

/** A zod field: the variable's text (or its default) run through its check. */
function field<T>(name: string, check: Check<T>, fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const result = check(raw);
      if (result.ok) return result.value;
      ctx.addIssue({
        code: 'custom',
        message: `got ${shownValue(name, raw)}, want ${result.want}`,
      });
      return z.NEVER;
    });
}

const schema = z.object(
  Object.fromEntries(
    CONFIG_KEYS.map((name) => [name, field(name, SPEC[name][0] as Check<unknown>, SPEC[name][1])]),
  ),
);

export function readEnv(env: NodeJS.ProcessEnv = process.env): RawConfig {
  const known = Object.fromEntries(
    CONFIG_KEYS.flatMap((k) => (env[k] === undefined ? [] : [[k, env[k]]])),
  );
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${String(issue.path[0])}: ${issue.message}`,
    );
    throw new ListcleanError('config_invalid', `Bad configuration: ${problems.join('; ')}`);
  }
  return parsed.data as RawConfig;
}
