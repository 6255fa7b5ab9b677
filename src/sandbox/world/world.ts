/**
 * The sandbox mail world (DESIGN §6): a DNS server on 127.0.0.1 and one SMTP host per MX name,
 * each on its own 127.0.0.x and all on the same port, driven by a scenario that can change while
 * the world runs. Point listclean at it with `world.env`.
 */
import { ListcleanError } from '../../errors.ts';
import { answerFromWorld } from '../dns/dns-answers.ts';
import { type SandboxDnsServer, startDnsServer } from '../dns/dns-server.ts';
import type { Scenario, ScenarioDomain } from '../scenario/scenario.ts';
import { validateDomainPatch, validateScenario } from '../scenario/scenario-schema.ts';
import { bindHosts } from '../smtp/bind-hosts.ts';
import type { HostStats } from '../smtp/host-stats.ts';
import { SandboxSmtpHost } from '../smtp/smtp-host.ts';
import { sandboxSecureContext } from '../smtp/tls-credentials.ts';
import { WorldState } from './world-state.ts';

export interface SandboxWorld {
  dns: SandboxDnsServer;
  /** The one SMTP port every sandbox host listens on (each host has its own 127.0.0.x). */
  smtpPort: number;
  /** Env to point listclean at this world: DNS_SERVERS, SMTP_PORT, ALLOW_PRIVATE_MX=127.0.0.0/8. */
  env: Record<string, string>;
  /** The address of a host (host names are case-insensitive). */
  hostIp(hostName: string): string;
  /** The live counters of a host: the same object keeps updating. */
  stats(hostName: string): HostStats;
  /** Every host's live counters, by host name. */
  allStats(): Record<string, HostStats>;
  /** Replace fields of a domain (or add a domain); applies to the next DNS query and RCPT. */
  updateDomain(domain: string, patch: Partial<ScenarioDomain>): void;
  /** Zero every host's counters (open sessions stay counted as current). */
  resetStats(): void;
  /** Closes every socket and timer; afterwards nothing keeps the process alive. */
  close(): Promise<void>;
}

export interface StartWorldOptions {
  /** The SMTP port to try first (then the next ones); default a random port in 20000–59999. */
  basePort?: number;
}

export async function startWorld(
  scenario: Scenario,
  options: StartWorldOptions = {},
): Promise<SandboxWorld> {
  // A private, normalised copy: the caller's object is never mutated by updateDomain.
  const state = new WorldState(structuredClone(validateScenario(scenario, 'scenario')));
  // Before any socket opens: a world that cannot offer the TLS it describes fails to start.
  const wantsTls = state.hostNames().some((name) => state.host(name).starttls === true);
  const secureContext = wantsTls ? await sandboxSecureContext() : undefined;
  const hosts = new Map(
    state.hostNames().map((name) => [name, new SandboxSmtpHost(name, state, secureContext)]),
  );
  const toBind = [...hosts.values()].map((host) => ({
    host,
    ip: state.host(host.name).ip,
    listens: state.host(host.name).behavior !== 'refuse',
  }));
  const { port, ips } = await bindHosts(toBind, options.basePort);
  for (const [name, ip] of ips) state.ips.set(name, ip);

  let dns: SandboxDnsServer;
  try {
    dns = await startDnsServer({ host: '127.0.0.1', port: 0, answer: answerFromWorld(state) });
  } catch (error) {
    await Promise.all([...hosts.values()].map((host) => host.close()));
    throw error;
  }

  const host = (name: string): SandboxSmtpHost => {
    const found = hosts.get(name.toLowerCase().replace(/\.$/, ''));
    if (found !== undefined) return found;
    throw new ListcleanError(
      'sandbox_unknown_host',
      `No sandbox host is named "${name}"; hosts: ${[...hosts.keys()].join(', ') || '(none)'}.`,
    );
  };

  let closing: Promise<void> | undefined;
  return {
    dns,
    smtpPort: port,
    env: {
      DNS_SERVERS: `${dns.host}:${dns.port}`,
      SMTP_PORT: String(port),
      // Loopback only: the world lives there, and nothing else private should be reachable.
      ALLOW_PRIVATE_MX: '127.0.0.0/8',
    },
    hostIp: (name) => state.ips.get(host(name).name) ?? '',
    stats: (name) => host(name).recorder.stats,
    allStats: () =>
      Object.fromEntries([...hosts].map(([name, smtpHost]) => [name, smtpHost.recorder.stats])),
    updateDomain: (domain, patch) => {
      const valid = validateDomainPatch(domain, patch);
      state.updateDomain(valid.name, valid.patch);
    },
    resetStats: () => {
      for (const smtpHost of hosts.values()) smtpHost.recorder.reset();
    },
    close: () => {
      closing ??= Promise.all([dns.close(), ...[...hosts.values()].map((h) => h.close())]).then(
        () => undefined,
      );
      return closing;
    },
  };
}
