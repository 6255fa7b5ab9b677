/**
 * A TCP connection to a mail server through one egress: straight from a local address (or the
 * default route), or through a SOCKS5 proxy (the `socks` library). Failures say whose they are:
 * the proxy's (unreachable, authentication refused, broken protocol — take the egress out for a
 * while, never blame the mailbox) or the target's (refused, unreachable, timed out — as if we
 * had connected directly).
 */
import net from 'node:net';
import { SocksClient } from 'socks';
import { describeEgress, type Egress } from './config.ts';

export type EgressFailureKind =
  /** The proxy itself failed: unreachable, authentication, protocol, timeout at the proxy. */
  | 'proxy'
  /** The target refused or could not be reached (directly, or as the proxy reports it). */
  | 'refused'
  | 'timeout';

export class EgressConnectError extends Error {
  constructor(
    readonly kind: EgressFailureKind,
    readonly egress: Egress,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EgressConnectError';
  }
}

export interface ConnectTarget {
  /** The vetted address to connect to (never a name: the MX guard checked this address). */
  ip: string;
  port: number;
  timeoutMs: number;
}

/** SOCKS5 replies that are about the target, not the proxy (RFC 1928 §6). */
const TARGET_REPLIES = /NetworkUnreachable|HostUnreachable|ConnectionRefused|TTLExpired/;

/**
 * Resolves with a connected socket that is not flowing yet: what the server sent so far is
 * waiting in it, so a consumer that attaches a 'data' listener must `resume()` it.
 */
export async function connectVia(egress: Egress, target: ConnectTarget): Promise<net.Socket> {
  if (egress.kind === 'socks5') return connectThroughProxy(egress, target);
  return connectDirect(egress, target);
}

function connectDirect(egress: Egress, target: ConnectTarget): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: target.ip,
      port: target.port,
      ...(egress.kind === 'local' ? { localAddress: egress.localAddress } : {}),
      // Exactly the address that was vetted, whatever else the host resolves to.
      family: net.isIPv6(target.ip) ? 6 : 4,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new EgressConnectError(
          'timeout',
          egress,
          `no TCP connection to ${target.ip}:${target.port} within ${target.timeoutMs} ms`,
        ),
      );
    }, target.timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      // A local address this host does not have is the egress's fault, not the server's.
      const kind = error.code === 'EADDRNOTAVAIL' ? 'proxy' : 'refused';
      reject(
        new EgressConnectError(
          kind,
          egress,
          `cannot connect to ${target.ip}:${target.port}${egress.kind === 'local' ? ` from ${egress.localAddress}` : ''}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      );
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

async function connectThroughProxy(
  egress: Extract<Egress, { kind: 'socks5' }>,
  target: ConnectTarget,
): Promise<net.Socket> {
  const { proxy } = egress;
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: {
        host: proxy.host,
        port: proxy.port,
        type: 5,
        ...(proxy.username !== undefined ? { userId: proxy.username } : {}),
        ...(proxy.password !== undefined ? { password: proxy.password } : {}),
      },
      command: 'connect',
      destination: { host: target.ip, port: target.port },
      timeout: target.timeoutMs,
    });
    return await keepEarlyBytes(socket);
  } catch (error) {
    const text = (error as Error).message;
    const aboutTarget = TARGET_REPLIES.test(text);
    // The library's messages never hold the credentials; the egress is named without them.
    throw new EgressConnectError(
      aboutTarget ? 'refused' : /timed out/i.test(text) ? 'timeout' : 'proxy',
      egress,
      aboutTarget
        ? `cannot connect to ${target.ip}:${target.port} through ${describeEgress(egress)}: ${text}`
        : `the proxy ${describeEgress(egress)} failed: ${text}`,
      { cause: error },
    );
  }
}

/**
 * The `socks` library re-emits bytes that arrived with the proxy's last handshake reply (a
 * server's banner often does) as one 'data' event on the next turn of the event loop, and
 * resumes the socket: a consumer that attaches later loses them. Catch them here, put them back
 * in the stream and pause it, so the socket is like a freshly connected one.
 */
async function keepEarlyBytes(socket: net.Socket): Promise<net.Socket> {
  const early: Buffer[] = [];
  const keep = (chunk: Buffer) => early.push(chunk);
  socket.on('data', keep);
  await new Promise((resolve) => setImmediate(resolve));
  socket.off('data', keep);
  socket.pause();
  if (early.length > 0) socket.unshift(Buffer.concat(early));
  return socket;
}
