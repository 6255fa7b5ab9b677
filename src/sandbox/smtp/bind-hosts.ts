/**
 * Gives every sandbox host its own loopback address and binds them all on ONE port, because
 * listclean connects to SMTP_PORT on every MX. Several worlds may run at once (parallel test
 * files): a taken address is skipped, and if the port itself seems busy, the whole set moves to
 * another random port.
 */
import net from 'node:net';
import { ListcleanError } from '../../errors.ts';
import type { SandboxSmtpHost } from './smtp-host.ts';

export interface HostToBind {
  host: SandboxSmtpHost;
  /** A fixed address from the scenario, or undefined to take the next free 127.0.0.x. */
  ip: string | undefined;
  /** `refuse` hosts: an address is reserved, but nothing listens on it. */
  listens: boolean;
}

const PORT_ATTEMPTS = 8;
/** Consecutive taken addresses after which the port, not the address, is the problem. */
const ADDRESS_SKIPS = 16;
const FIRST_AUTO_ADDRESS = ipToInt('127.0.0.2');
const LAST_LOOPBACK_ADDRESS = ipToInt('127.255.255.254');

/** Binds every host; returns the shared port and each host's address (by host name). */
export async function bindHosts(
  hosts: HostToBind[],
  basePort: number | undefined,
): Promise<{ port: number; ips: Map<string, string> }> {
  for (let attempt = 0; ; attempt++) {
    const port = basePort !== undefined ? basePort + attempt : 20000 + randomInt(40000);
    try {
      return { port, ips: await bindAllOnPort(hosts, port) };
    } catch (error) {
      if (errorCode(error) !== 'EADDRINUSE' || attempt + 1 >= PORT_ATTEMPTS) {
        throw bindError(error, port);
      }
    }
  }
}

async function bindAllOnPort(hosts: HostToBind[], port: number): Promise<Map<string, string>> {
  const ips = new Map<string, string>();
  const fixed = new Set(hosts.flatMap((h) => (h.ip === undefined ? [] : [h.ip])));
  let next = FIRST_AUTO_ADDRESS;
  try {
    for (const entry of hosts) {
      if (entry.ip !== undefined) {
        await occupy(entry, entry.ip, port);
        ips.set(entry.host.name, entry.ip);
        continue;
      }
      for (let skips = 0; ; skips++) {
        while (fixed.has(intToIp(next)) || isBroadcastLike(next)) next++;
        if (next > LAST_LOOPBACK_ADDRESS) throw new Error('out of loopback addresses');
        const ip = intToIp(next++);
        try {
          await occupy(entry, ip, port);
          ips.set(entry.host.name, ip);
          break;
        } catch (error) {
          if (errorCode(error) !== 'EADDRINUSE' || skips + 1 >= ADDRESS_SKIPS) throw error;
        }
      }
    }
    return ips;
  } catch (error) {
    await Promise.all(hosts.map((entry) => entry.host.close()));
    throw error;
  }
}

/** Listens, or for a refusing host checks that nobody else listens there (bind, then release). */
async function occupy(entry: HostToBind, ip: string, port: number): Promise<void> {
  if (entry.listens) return entry.host.listen(ip, port);
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host: ip, port, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

function bindError(error: unknown, port: number): ListcleanError {
  const code = errorCode(error);
  const hint =
    code === 'EADDRNOTAVAIL'
      ? 'this system routes only 127.0.0.1 to loopback (macOS: add aliases with ' +
        '`sudo ifconfig lo0 alias 127.0.0.2 up`, and so on, for each host)'
      : 'pass another basePort or free the port';
  return new ListcleanError(
    'sandbox_smtp_unavailable',
    `The sandbox SMTP hosts could not listen on port ${port} (${code ?? String(error)}): ${hint}.`,
    { cause: error },
  );
}

function isBroadcastLike(address: number): boolean {
  const last = address & 0xff;
  return last === 0 || last === 255;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function randomInt(below: number): number {
  return Math.floor(Math.random() * below);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}
