/**
 * The world's zone, answered live from its state: a domain's MX / null MX / A / AAAA / TXT
 * records, every sandbox host name's A record (its 127.0.0.x), the scenario's extra records
 * (PTR, TXT, blocklist entries), SERVFAIL and silence where the scenario
 * asks for them, NODATA for a known name without that type, NXDOMAIN for anything else.
 */

import type { WorldState } from '../world/world-state.ts';
import type { DnsAnswer, DnsQuestionType, DnsRecord } from './dns-server.ts';

export function answerFromWorld(
  world: WorldState,
): (name: string, type: DnsQuestionType) => DnsAnswer {
  return (name, type) => {
    const ttl = world.dnsTtlSeconds();
    const domain = world.domain(name);
    const hostIp = world.ips.get(name);
    const extra = world.records(name);
    if (domain === undefined && hostIp === undefined && extra.length === 0) {
      return { rcode: 'NXDOMAIN' };
    }
    if (domain?.servfail) return { rcode: 'SERVFAIL' };
    if (domain?.dnsTimeout) return { drop: true };

    const records: DnsRecord[] = [];
    if (type === 'MX' && domain?.nullMx) {
      records.push({ type: 'MX', name, preference: 0, exchange: '.', ttl });
    } else if (type === 'MX') {
      (domain?.mx ?? []).forEach((mx, index) => {
        const preference = mx.preference ?? 10 * (index + 1);
        records.push({ type: 'MX', name, preference, exchange: mx.host, ttl });
      });
    } else if (type === 'A') {
      // A host named like a domain (implicit MX) answers with its sandbox address first.
      const addresses = [...(hostIp === undefined ? [] : [hostIp]), ...(domain?.a ?? [])];
      for (const address of addresses) records.push({ type: 'A', name, address, ttl });
    } else if (type === 'AAAA') {
      for (const address of domain?.aaaa ?? []) records.push({ type: 'AAAA', name, address, ttl });
    } else if (type === 'TXT') {
      for (const text of domain?.txt ?? []) records.push({ type: 'TXT', name, text, ttl });
    }
    for (const record of extra) {
      if (record.type !== type) continue;
      if (record.type === 'A' || record.type === 'AAAA') {
        records.push({ type: record.type, name, address: record.value, ttl });
      } else if (record.type === 'TXT') {
        records.push({ type: 'TXT', name, text: record.value, ttl });
      } else if (record.type === 'PTR') {
        records.push({ type: 'PTR', name, target: record.value, ttl });
      } else {
        records.push({
          type: 'MX',
          name,
          preference: record.preference ?? 10,
          exchange: record.value,
          ttl,
        });
      }
    }
    return { rcode: 'NOERROR', records };
  };
}
