/** The sandbox mail world (DESIGN §6): what the demo, the tests and the benchmark import. */

export { SANDBOX_CLIENT_ENV } from './client-env.ts';
export type { DnsAnswer, DnsRecord, SandboxDnsServer } from './dns/dns-server.ts';
export { startDnsServer } from './dns/dns-server.ts';
export { loadScenario, parseScenarioText } from './scenario/load-scenario.ts';
export type { HostBehavior, Scenario, ScenarioDomain, ScenarioHost } from './scenario/scenario.ts';
export { validateScenario } from './scenario/scenario-schema.ts';
export type { HostStats } from './smtp/host-stats.ts';
export type { SandboxWorld, StartWorldOptions } from './world/world.ts';
export { startWorld } from './world/world.ts';
