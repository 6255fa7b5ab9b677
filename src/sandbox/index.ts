/** The sandbox mail world (DESIGN §6): what the demo, the tests and the benchmark import. */
export type { DnsAnswer, DnsRecord, SandboxDnsServer } from './dns-server.ts';
export { startDnsServer } from './dns-server.ts';
export type { HostStats } from './host-stats.ts';
export { loadScenario, parseScenarioText } from './load-scenario.ts';
export type { HostBehavior, Scenario, ScenarioDomain, ScenarioHost } from './scenario.ts';
export { validateScenario } from './scenario-schema.ts';
export type { SandboxWorld, StartWorldOptions } from './world.ts';
export { startWorld } from './world.ts';
