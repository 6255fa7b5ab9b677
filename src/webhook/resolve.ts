/**
 * Resolution of webhook hosts on c-ares, like src/dns: with DNS_SERVERS set every lookup goes
 * there and never to the system resolver (nor /etc/hosts, which could map a name to loopback).
 */
import { Resolver } from 'node:dns/promises';
import { ListcleanError } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';

const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND']);

export interface ResolveOptions {
  /** DNS_SERVERS, already parsed; empty for the system's configured servers. */
  servers?: string[];
  timeoutMs?: number;
}

/** A resolver function for `checkWebhookTarget`: every A and AAAA address of a host. */
export function createHostResolver(
  options: ResolveOptions = {},
): (host: string) => Promise<string[]> {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 5000, tries: 2 });
  if (options.servers && options.servers.length > 0) resolver.setServers(options.servers);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const addresses: string[] = [];
    for (const answer of [v4, v6]) {
      if (answer.status === 'fulfilled') {
        addresses.push(...answer.value);
        continue;
      }
      const code = (answer.reason as NodeJS.ErrnoException).code ?? '';
      // A name with only AAAA (or only A) is fine; any other failure leaves the answer partial,
      // and a partial answer cannot be vetted.
      if (!NO_RECORD.has(code)) {
        throw new ListcleanError('webhook_dns', `DNS lookup failed (${code || 'unknown'})`, {
          cause: answer.reason,
        });
      }
    }
    return addresses;
  };
}

let systemResolver: ((host: string) => Promise<string[]>) | undefined;

/** The default for callers without a configuration at hand: the system's DNS servers. */
export function resolveHost(host: string): Promise<string[]> {
  systemResolver ??= createHostResolver();
  return systemResolver(host);
}

const perRuntime = new WeakMap<Runtime, (host: string) => Promise<string[]>>();

/** The resolver for a runtime's configuration (DNS_SERVERS, DNS_TIMEOUT), made once. */
export function webhookResolver(rt: Runtime): (host: string) => Promise<string[]> {
  let resolve = perRuntime.get(rt);
  if (resolve === undefined) {
    resolve = createHostResolver({
      servers: rt.config.DNS_SERVERS,
      timeoutMs: rt.config.DNS_TIMEOUT,
    });
    perRuntime.set(rt, resolve);
  }
  return resolve;
}
