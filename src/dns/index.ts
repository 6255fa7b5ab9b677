/** The DNS stage (DESIGN §2.2–2.3): MX lookup, address safety, provider grouping. */
export type { IpClass } from './ip-guard.ts';
export { classifyIp, isPublicIp } from './ip-guard.ts';
export { providerKey } from './provider.ts';
export { MxResolver } from './resolver.ts';
export { parseDnsServer, parseDnsServers } from './servers.ts';
export type { DnsOptions, MxHost, MxLookup, TxtLookup } from './types.ts';
