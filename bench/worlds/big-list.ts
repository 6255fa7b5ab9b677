/**
 * The big list of the memory benchmark, written row by row to a file (never held in memory):
 * `id,email,first_name,last_name,company,signup_date`, addresses spread Zipf-like over many
 * domains, a share of duplicates of a recent row and of invalid addresses.
 *
 * As a nightly-hygiene re-run (BIG_LIST: `uncachedEvery: 20`), the verification cache already
 * holds a verdict younger than CACHE_MAX_AGE for every address except those at every 20th domain
 * (about 4 % of the rows), so ingest and aggregate handle every row while only those go through
 * probe jobs; as a new list (BIG_LIST_NEW: `uncachedEvery: 1`) nothing is cached and every
 * address is probed. Those domains are DNS-only in the sandbox — alternate blocks of
 * `nullMxBlock` domains publish a null MX or do not exist — so each gets a final verdict without
 * an SMTP host per domain (tens of thousands of hosts would not fit on a loopback /24 … nor in a
 * bench).
 *
 * Every parameter is in a BigListWorld object (bigListWorlds() for the runs of the bench); the
 * case and the report read them from there.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { CachedVerdict } from '../../src/redis/index.ts';
import { seededRandom } from '../../src/sandbox/lists/list-generator.ts';
import type { Scenario } from '../../src/sandbox/scenario/scenario.ts';
import type { Reason } from '../../src/verdict/types.ts';
import { PROCESS_ENV, type ProcessEnvParams } from './process-env.ts';

export interface BigListWorld {
  rows: number;
  domains: number;
  zipf: number;
  seed: number;
  /** Every how many domains one is not in the cache: 20 for a hygiene re-run, 1 for a new list. */
  uncachedEvery: number;
  /** Share of rows that repeat a recent row, and of rows with an invalid address. */
  duplicateShare: number;
  invalidShare: number;
  /** Verdicts of the cached addresses: each reason up to its cumulative share. */
  cachedReasons: Array<[number, Reason]>;
  /** Uncached domains in alternate blocks of this many publish a null MX or do not exist. */
  nullMxBlock: number;
  /** Addresses per probe job (SMTP_MAX_RCPTS_PER_SESSION of the run). */
  probeBatch: number;
  env: ProcessEnvParams;
  targets: {
    /** Peak RSS of the one process doing it all, below. */
    peakRssBytes: number;
  };
}

/** The hygiene re-run. */
export const BIG_LIST: BigListWorld = {
  rows: 1_000_000,
  domains: 50_000,
  zipf: 1,
  seed: 3,
  uncachedEvery: 20,
  duplicateShare: 0.01,
  invalidShare: 0.005,
  cachedReasons: [
    [0.8, 'accepted'],
    [0.95, 'mailbox_not_found'],
    [1, 'catch_all'],
  ],
  nullMxBlock: 20,
  probeBatch: 50,
  env: PROCESS_ENV,
  targets: { peakRssBytes: 400 * 1024 * 1024 },
};

/** The same list as a new upload: nothing cached, every address through a probe job. */
export const BIG_LIST_NEW: BigListWorld = { ...BIG_LIST, uncachedEvery: 1 };

const QUICK_ROWS = 100_000;

/** The big lists the bench runs, in order. */
export function bigListWorlds(quick: boolean): BigListWorld[] {
  return [BIG_LIST, BIG_LIST_NEW].map((world) => (quick ? { ...world, rows: QUICK_ROWS } : world));
}

export interface BigListTruth {
  bytes: number;
  rows: number;
  /** Distinct valid addresses, and how many of them are not in the cache. */
  unique: number;
  uncached: number;
  duplicates: number;
  /** Fewest probe jobs the uncached addresses need: ⌈addresses / probeBatch⌉ per domain. */
  minProbeJobs: number;
  /** Expected count of rows per verdict reason. */
  byReason: Partial<Record<Reason, number>>;
}

/** Receives the cached verdicts to store before the run, in batches. */
export type CacheFill = (entries: Array<[string, CachedVerdict]>) => Promise<void>;

function cachedReason(world: BigListWorld, pick: number): Reason {
  for (const [upTo, reason] of world.cachedReasons) if (pick < upTo) return reason;
  return 'accepted';
}

export function bigDomain(index: number): string {
  return `d${index}.big.test`;
}

function isUncached(domain: number, every: number): boolean {
  return domain % every === every - 1;
}

/** Half the uncached domains publish a null MX, the other half do not exist. */
function hasNullMx(domain: number, block: number): boolean {
  return Math.floor(domain / block) % 2 === 0;
}

export function bigScenario(options: BigListWorld): Scenario {
  const domains: Scenario['domains'] = {};
  for (let i = 0; i < options.domains; i++) {
    if (isUncached(i, options.uncachedEvery) && hasNullMx(i, options.nullMxBlock)) {
      domains[bigDomain(i)] = { nullMx: true };
    }
  }
  return { domains };
}

function cachedVerdict(reason: Reason, domain: string, checkedAt: Date): CachedVerdict {
  const accepted = reason !== 'mailbox_not_found';
  return {
    reason,
    catchAll: reason === 'catch_all',
    mxHost: `mx.${domain}`,
    smtpCode: accepted ? 250 : 550,
    smtpEnhancedCode: accepted ? '2.1.5' : '5.1.1',
    detail: accepted ? '250 2.1.5 Ok' : '550 5.1.1 <address>: Recipient address rejected',
    checkedAt,
    rule: accepted ? 'accepted' : 'enhanced-5.1.1',
  };
}

export async function writeBigList(
  path: string,
  options: BigListWorld,
  fill: CacheFill,
): Promise<BigListTruth> {
  const random = seededRandom(options.seed);
  const cumulative = new Float64Array(options.domains);
  let total = 0;
  for (let i = 0; i < options.domains; i++) {
    total += 1 / (i + 1) ** options.zipf;
    cumulative[i] = total;
  }
  const pickDomain = (): number => {
    const r = random() * total;
    let lo = 0;
    let hi = options.domains - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const checkedAt = new Date(Date.now() - 3_600_000);
  const recent: Array<{ email: string; reason: Reason }> = [];
  const truth: BigListTruth = {
    bytes: 0,
    rows: options.rows,
    unique: 0,
    uncached: 0,
    duplicates: 0,
    minProbeJobs: 0,
    byReason: {},
  };
  const uncachedByDomain = new Map<number, number>();
  const out = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    truth.bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('id,email,first_name,last_name,company,signup_date\n');
  let chunk = '';
  let entries: Array<[string, CachedVerdict]> = [];
  for (let i = 1; i <= options.rows; i++) {
    const roll = random();
    let email: string;
    let reason: Reason;
    let domain = -1;
    if (roll < options.duplicateShare && recent.length > 0) {
      const original = recent[Math.floor(random() * recent.length)] as (typeof recent)[number];
      ({ email, reason } = original);
      truth.duplicates += 1;
    } else if (roll < options.duplicateShare + options.invalidShare) {
      email = i % 2 === 0 ? `user${i}@` : `broken user${i}@x.test`;
      reason = 'invalid_syntax';
    } else {
      domain = pickDomain();
      const name = bigDomain(domain);
      email = `user${i}@${name}`;
      truth.unique += 1;
      if (isUncached(domain, options.uncachedEvery)) {
        reason = hasNullMx(domain, options.nullMxBlock) ? 'no_mail_server' : 'no_domain';
        truth.uncached += 1;
        uncachedByDomain.set(domain, (uncachedByDomain.get(domain) ?? 0) + 1);
      } else {
        reason = cachedReason(options, random());
        entries.push([email, cachedVerdict(reason, name, checkedAt)]);
      }
      if (recent.length < 1000) recent.push({ email, reason });
      else recent[i % 1000] = { email, reason };
    }
    truth.byReason[reason] = (truth.byReason[reason] ?? 0) + 1;
    const day = String(1 + (i % 28)).padStart(2, '0');
    chunk += `${i},${email},First${i % 997},Last${i % 991},Company ${domain + 1},2024-03-${day}\n`;
    if (chunk.length > 64 * 1024) {
      await write(chunk);
      chunk = '';
    }
    if (entries.length >= 5000) {
      await fill(entries);
      entries = [];
    }
  }
  await write(chunk);
  await fill(entries);
  for (const count of uncachedByDomain.values()) {
    truth.minProbeJobs += Math.ceil(count / options.probeBatch);
  }
  out.end();
  await once(out, 'finish');
  return truth;
}
