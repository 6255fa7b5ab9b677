/**
 * `listclean doctor` (DESIGN §5): checks the sending side — port 25 out through every egress,
 * the address each is seen from, its PTR and forward-confirmed rDNS, HELO_NAME, MAIL_FROM's MX
 * and SPF, DNS blocklists — and what the pipeline needs (Redis, storage, the policy). Every
 * check runs at once unless it waits for another's answer (the egress address waits for the
 * probe host's), and the whole run ends by DOCTOR_TIMEOUT: what has not answered by then is
 * reported as such, never waited for.
 */
import { formatDuration } from '../config/duration.ts';
import type { RawConfig } from '../config/env.ts';
import { describeEgress, type Egress, egressesOf } from '../egress/config.ts';
import { createRedis, type RedisClient } from '../redis/connect.ts';
import { redactRedisUrl } from '../redis/redis-url.ts';
import { createStorage, type Storage } from '../storage/index.ts';
import { mailFromFor } from '../verify/context.ts';
import { blocklistCheck } from './checks/blocklist.ts';
import { heloCheck } from './checks/helo.ts';
import { fcrdnsCheck, type PtrOutcome, ptrCheck } from './checks/rdns.ts';
import { mxCheck, senderDomain, spfCheck } from './checks/sender.ts';
import { policyCheck, redisCheck, redisUnreachable, storageCheck } from './checks/services.ts';
import { tcpCheck } from './checks/tcp.ts';
import { DoctorDns } from './dns.ts';
import { type EgressAddress, egressAddress } from './egress-address.ts';
import { type ProbeHost, resolveProbeHost } from './probe-host.ts';
import type { CheckStatus, DoctorCheck, Finding } from './types.ts';

export interface DoctorOptions {
  /** A Redis the process already has (the API's); else the doctor opens one and closes it. */
  redis?: RedisClient;
  /** The process's storage; else the doctor opens it from the configuration and closes it. */
  storage?: Storage;
}

/** DOCTOR_TIMEOUT below this would leave no check a chance. */
const MIN_RUN_MS = 1000;
/** Kept back from a step's own timeout so it fires, with its own words, before the run's. */
const MARGIN_MS = 200;
/** Opening Redis: as the pipeline's own fail-fast connection. */
const REDIS_CONNECT_MS = 3000;

const RETRY_DNS = 'check DNS_SERVERS (or the system resolver), or raise DOCTOR_TIMEOUT';

interface Task {
  check: string;
  target: string;
  /** How to report it when the run's time is up first. */
  late: { status: CheckStatus; fix: string };
  run(): Promise<DoctorCheck[]>;
}

export async function runDoctor(
  config: RawConfig,
  options: DoctorOptions = {},
): Promise<DoctorCheck[]> {
  const budgetMs = Math.max(MIN_RUN_MS, config.DOCTOR_TIMEOUT);
  const deadline = performance.now() + budgetMs;
  const remaining = () => deadline - performance.now();
  const dns = new DoctorDns({ servers: config.DNS_SERVERS, timeoutMs: config.DNS_TIMEOUT });
  const resources = new Resources();
  const probe = resolveProbeHost(config.DOCTOR_PROBE_HOST, dns);
  const mailFrom = mailFromFor(config);
  const domain = senderDomain(mailFrom);
  const helo = config.HELO_NAME;
  const egresses = egressesOf(config);

  const tasks: Task[] = [];
  for (const egress of egresses) {
    const address = probe.then((p) => egressAddress(egress, p, config.DOCTOR_EGRESS_ADDRESSES));
    const ptr = address.then((a) => (a.known ? ptrCheck(a.ip, helo, dns) : null));
    tasks.push(
      tcpTask(egress, probe, config, remaining),
      {
        check: 'egress',
        target: egress.name,
        late: { status: 'warn', fix: RETRY_DNS },
        run: async () => [line('egress', egress.name, addressFinding(egress, await address))],
      },
      ...egressDnsTasks(egress, address, ptr, { helo, domain, mailFrom, config, dns }),
    );
  }
  tasks.push(
    {
      check: 'mx',
      target: domain,
      late: { status: 'warn', fix: RETRY_DNS },
      run: async () => [line('mx', domain, await mxCheck(domain, dns))],
    },
    ...serviceTasks(config, options, resources, remaining),
  );

  try {
    const lines = await Promise.all(tasks.map((task) => settle(task, deadline, budgetMs)));
    return [...configLines(config, egresses), ...lines.flat()];
  } finally {
    dns.cancel();
    await resources.close();
  }
}

function tcpTask(
  egress: Egress,
  probe: Promise<ProbeHost>,
  config: RawConfig,
  remaining: () => number,
): Task {
  const check = `tcp/${config.SMTP_PORT}`;
  const target = `via ${egress.name}`;
  return {
    check,
    target,
    late: {
      status: 'fail',
      fix: 'outbound port 25 may be blocked, or DNS is slow (see the other lines); raise DOCTOR_TIMEOUT to tell',
    },
    run: async () => {
      const host = await probe;
      const finding = await tcpCheck(egress, host, {
        port: config.SMTP_PORT,
        connectMs: Math.max(1, Math.min(config.SMTP_CONNECT_TIMEOUT, remaining() - MARGIN_MS)),
        bannerMs: () => Math.min(config.SMTP_BANNER_TIMEOUT, remaining() - MARGIN_MS),
      });
      return [line(check, target, finding)];
    },
  };
}

interface EgressContext {
  helo: string;
  domain: string;
  mailFrom: string;
  config: RawConfig;
  dns: DoctorDns;
}

/** PTR + FCrDNS, HELO, SPF and blocklists for the address an egress is seen from. */
function egressDnsTasks(
  egress: Egress,
  address: Promise<EgressAddress>,
  ptr: Promise<PtrOutcome | null>,
  { helo, domain, mailFrom, config, dns }: EgressContext,
): Task[] {
  const late = { status: 'warn' as const, fix: RETRY_DNS };
  const ipOf = (a: EgressAddress) => (a.known ? a.ip : null);
  return [
    {
      check: 'ptr',
      target: egress.name,
      late,
      run: async () => {
        const a = await address;
        const outcome = await ptr;
        if (!a.known || outcome === null) return [];
        const lines = [line('ptr', a.ip, outcome.finding)];
        if (outcome.names.length > 0) {
          lines.push(line('fcrdns', a.ip, await fcrdnsCheck(a.ip, outcome.names, dns)));
        }
        return lines;
      },
    },
    {
      check: 'helo',
      target: helo,
      late,
      run: async () => {
        const a = await address;
        const ip = ipOf(a);
        const ptrNames = (await ptr)?.names ?? [];
        const finding = await heloCheck({ helo, ip, ptrNames, egress: egress.name }, dns);
        return [line('helo', `${helo} for ${ip ?? egress.name}`, finding)];
      },
    },
    {
      check: 'spf',
      target: domain,
      late,
      run: async () => {
        const ip = ipOf(await address);
        const finding = await spfCheck(
          { domain, sender: mailFrom, helo, ip, egress: egress.name },
          dns,
        );
        return [line('spf', `${domain} for ${ip ?? egress.name}`, finding)];
      },
    },
    ...config.DOCTOR_BLOCKLISTS.map(
      (zone): Task => ({
        check: 'blocklist',
        target: zone,
        late,
        run: async () => {
          const ip = ipOf(await address);
          if (ip === null) return [];
          return [line('blocklist', `${ip} on ${zone}`, await blocklistCheck(ip, zone, dns))];
        },
      }),
    ),
  ];
}

function addressFinding(egress: Egress, address: EgressAddress): Finding {
  if (!address.known)
    return { status: address.status, evidence: address.evidence, fix: address.fix };
  return {
    status: 'pass',
    evidence: `${describeEgress(egress)} leaves from ${address.ip}: ${address.how}`,
    fix: null,
  };
}

function serviceTasks(
  config: RawConfig,
  options: DoctorOptions,
  resources: Resources,
  remaining: () => number,
): Task[] {
  const openRedis = async (url: string): Promise<RedisClient> =>
    resources.adopt(
      await createRedis(url, {
        prefix: 'doctor',
        connectTimeoutMs: Math.max(1, Math.min(REDIS_CONNECT_MS, remaining() - MARGIN_MS)),
      }),
      (client) => client.disconnect(),
    );
  const redisTask = (url: string, role: 'queues' | 'cache', given?: RedisClient): Task => {
    const check = role === 'queues' ? 'redis' : 'redis-cache';
    const target = redactRedisUrl(url);
    return {
      check,
      target,
      late: {
        status: role === 'queues' ? 'fail' : 'warn',
        fix: 'check that Redis answers at that address',
      },
      run: async () => {
        let client: RedisClient;
        try {
          client = given ?? (await openRedis(url));
        } catch (error) {
          return [line(check, target, redisUnreachable((error as Error).message, role))];
        }
        return [line(check, target, await redisCheck(client, role))];
      },
    };
  };
  const tasks = [redisTask(config.REDIS_URL, 'queues', options.redis)];
  if (config.REDIS_CACHE_URL) tasks.push(redisTask(config.REDIS_CACHE_URL, 'cache'));
  tasks.push(
    {
      check: 'storage',
      target: config.STORAGE_URL,
      late: {
        status: 'fail',
        fix: 'check STORAGE_URL and S3_ENDPOINT: the storage does not answer',
      },
      run: async () => {
        const storage = options.storage ?? resources.adopt(createStorage(config), (s) => s.close());
        return [line('storage', config.STORAGE_URL, await storageCheck(storage))];
      },
    },
    {
      check: 'policy',
      target: config.THROTTLE_POLICY || 'THROTTLE_POLICY',
      late: { status: 'fail', fix: 'check that the THROTTLE_POLICY file can be read' },
      run: async () => [
        line('policy', config.THROTTLE_POLICY || 'THROTTLE_POLICY', await policyCheck(config)),
      ],
    },
  );
  return tasks;
}

/** DOCTOR_EGRESS_ADDRESSES naming an egress that does not exist: a typo that hides a check. */
function configLines(config: RawConfig, egresses: Egress[]): DoctorCheck[] {
  const names = new Set(egresses.map((e) => e.name));
  return Object.keys(config.DOCTOR_EGRESS_ADDRESSES)
    .filter((name) => !names.has(name))
    .map((name) =>
      line('config', 'DOCTOR_EGRESS_ADDRESSES', {
        status: 'warn',
        evidence: `names "${name}", which is no egress (the egresses: ${[...names].join(', ')})`,
        fix: 'use the egress names: default, an address of SMTP_LOCAL_ADDRESSES, or a proxy name of SMTP_PROXIES',
      }),
    );
}

/** A task's lines, or one line saying it did not finish in time or broke. */
async function settle(task: Task, deadline: number, budgetMs: number): Promise<DoctorCheck[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DoctorCheck[]>((resolve) => {
    timer = setTimeout(
      () =>
        resolve([
          line(task.check, task.target, {
            status: task.late.status,
            evidence: `no answer within DOCTOR_TIMEOUT (${formatDuration(budgetMs)})`,
            fix: task.late.fix,
          }),
        ]),
      Math.max(0, deadline - performance.now()),
    );
  });
  const done = task.run().catch((error: unknown) => [
    line(task.check, task.target, {
      status: 'fail',
      evidence: `the check itself failed: ${(error as Error)?.message ?? String(error)}`,
      fix: 'a bug in listclean doctor: please report it with this line',
    }),
  ]);
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

function line(check: string, target: string, finding: Finding): DoctorCheck {
  return {
    check,
    target,
    status: finding.status,
    // Banners and TXT records are the other side's words: one line, no control characters.
    evidence: oneLine(finding.evidence),
    fix: finding.fix ? oneLine(finding.fix) : null,
  };
}

function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/** What the run opened itself, closed when it ends (also when opened after it ended). */
class Resources {
  readonly #closers: Array<() => unknown> = [];
  #closed = false;

  adopt<T>(resource: T, close: (resource: T) => unknown): T {
    if (this.#closed) void Promise.resolve(close(resource)).catch(() => undefined);
    else this.#closers.push(() => close(resource));
    return resource;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#closers.map(async (close) => close()));
  }
}
