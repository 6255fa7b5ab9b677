/**
 * The address receivers see an egress connect from: what its PTR, HELO name, SPF and blocklist
 * entries are about. A local address is itself (unless it is private while the world it talks to
 * is public: then NAT hides the real one); the default route is the source address the kernel
 * picks towards the probe host (a connected UDP socket tells, without sending a packet); a
 * SOCKS5 proxy's outgoing address cannot be seen from here at all. DOCTOR_EGRESS_ADDRESSES says
 * it for any egress.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { classifyIp, isPublicIp } from '../dns/ip-guard.ts';
import { describeEgress, type Egress } from '../egress/config.ts';
import { type ProbeHost, probeAddress } from './probe-host.ts';

export type EgressAddress =
  | { known: true; ip: string; how: string }
  | { known: false; status: 'warn' | 'fail'; evidence: string; fix: string };

const SET_IT = (name: string, example = '<its public address>') =>
  `set DOCTOR_EGRESS_ADDRESSES=${name}=${example} so its PTR, HELO name, SPF and blocklist entries can be checked`;

export async function egressAddress(
  egress: Egress,
  probe: ProbeHost,
  configured: Readonly<Record<string, string>>,
): Promise<EgressAddress> {
  const given = configured[egress.name];
  if (given !== undefined) {
    return { known: true, ip: given, how: 'as DOCTOR_EGRESS_ADDRESSES says' };
  }
  if (egress.kind === 'socks5') {
    return {
      known: false,
      status: 'warn',
      evidence: `cannot tell which address ${describeEgress(egress)} connects from: a proxy's outgoing address cannot be seen from this side`,
      fix: SET_IT(egress.name),
    };
  }
  const target = probeAddress(probe, egress.kind === 'local' ? family(egress.localAddress) : null);
  if (egress.kind === 'local') {
    const bound = await bindable(egress.localAddress);
    if (bound !== null) {
      return {
        known: false,
        status: 'fail',
        evidence: `this host has no address ${egress.localAddress} (binding to it fails: ${bound})`,
        fix: 'take it out of SMTP_LOCAL_ADDRESSES, or add it to one of the host’s interfaces',
      };
    }
    return behindNat(egress, egress.localAddress, target, 'a local address of this host');
  }
  if (target === null) {
    return {
      known: false,
      status: 'warn',
      evidence: `cannot tell: the probe host ${probe.host} does not resolve, so the route out is unknown`,
      fix: `make DOCTOR_PROBE_HOST resolvable (see the tcp line), or ${SET_IT('default')}`,
    };
  }
  let source: string;
  try {
    source = await routeSource(target);
  } catch (error) {
    return {
      known: false,
      status: 'warn',
      evidence: `cannot tell: no route towards ${target} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      fix: SET_IT('default'),
    };
  }
  const towards = probe.host === target ? target : `${probe.host}, ${target}`;
  return behindNat(egress, source, target, `the route towards ${towards}`);
}

/**
 * A private source talking to a public world is translated on the way: the address receivers
 * see is the NAT's. Talking to a private world (the sandbox), it is what they see.
 */
function behindNat(egress: Egress, ip: string, target: string | null, how: string): EgressAddress {
  if (target !== null && isPublicIp(target) && !isPublicIp(ip)) {
    return {
      known: false,
      status: 'warn',
      evidence: `${describeEgress(egress)} leaves from ${ip}, a ${classifyIp(ip)} address: receivers see the public address NAT gives it, which cannot be seen from here`,
      fix: SET_IT(egress.name),
    };
  }
  return { known: true, ip, how };
}

/** The source address the kernel would use towards `ip`: connect() on UDP sends nothing. */
export function routeSource(ip: string): Promise<string> {
  const socket = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.connect(25, ip, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}

/** Null when this host can bind `ip`; else the error code. */
function bindable(ip: string): Promise<string | null> {
  const socket = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve(error.code ?? error.message);
    });
    socket.bind({ address: ip, port: 0 }, () => {
      socket.close();
      resolve(null);
    });
  });
}

function family(ip: string): 4 | 6 {
  return net.isIPv6(ip) ? 6 : 4;
}
