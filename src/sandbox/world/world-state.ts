/**
 * The live, mutable model behind a running world: the (validated, lower-cased) scenario and the
 * address each host got. DNS answers and SMTP replies both read it on every query, so
 * `updateDomain` takes effect for the next question without restarting anything.
 */
import { ListcleanError } from '../../errors.ts';
import type {
  LatencyModel,
  Scenario,
  ScenarioDomain,
  ScenarioHost,
  ScenarioRecord,
} from '../scenario/scenario.ts';

export class WorldState {
  /** Host name → its 127.0.0.x address, filled in when the hosts are bound. */
  readonly ips = new Map<string, string>();

  constructor(private readonly scenario: Scenario) {}

  /** Every host of the world: declared ones, MX targets, and implicit-MX domains. */
  hostNames(): string[] {
    const names = new Set(Object.keys(this.scenario.hosts ?? {}));
    for (const [name, domain] of Object.entries(this.scenario.domains)) {
      for (const mx of domain.mx ?? []) names.add(mx.host);
      if (domain.implicitMx) names.add(name);
    }
    return [...names];
  }

  domain(name: string): ScenarioDomain | undefined {
    return this.scenario.domains[name];
  }

  /** The scenario's extra records at `name` (PTR, TXT, blocklist entries, …). */
  records(name: string): ScenarioRecord[] {
    return (this.scenario.records ?? []).filter((record) => record.name === name);
  }

  host(name: string): ScenarioHost {
    return this.scenario.hosts?.[name] ?? {};
  }

  latencyMs(hostName: string): number {
    return this.host(hostName).latencyMs ?? this.scenario.latencyMs ?? 0;
  }

  latencyModel(hostName: string): LatencyModel {
    return this.host(hostName).latencyModel ?? this.scenario.latencyModel ?? 'per-reply';
  }

  dnsTtlSeconds(): number {
    return this.scenario.dnsTtlSeconds ?? 60;
  }

  /** The domain, when `hostName` is one of its mail servers (explicit or implicit MX). */
  servedBy(hostName: string, domainName: string): ScenarioDomain | undefined {
    const domain = this.domain(domainName);
    if (domain === undefined || domain.nullMx) return undefined;
    const listed = domain.mx?.some((mx) => mx.host === hostName) ?? false;
    return listed || (domain.implicitMx && domainName === hostName) ? domain : undefined;
  }

  /** Replace the named fields of a domain (creating it if new); `patch` is already validated. */
  updateDomain(name: string, patch: Partial<ScenarioDomain>): void {
    const hosts = [...(patch.mx ?? []).map((mx) => mx.host), ...(patch.implicitMx ? [name] : [])];
    const unknown = hosts.find((host) => !this.ips.has(host));
    if (unknown !== undefined) {
      throw new ListcleanError(
        'sandbox_unknown_host',
        `updateDomain("${name}"): host "${unknown}" is not part of this world; hosts are fixed ` +
          'when the world starts, so declare it under `hosts` in the scenario.',
      );
    }
    this.scenario.domains[name] = { ...this.scenario.domains[name], ...patch };
  }
}
