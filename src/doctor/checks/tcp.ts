/**
 * Port 25 out through one egress: a TCP connection to the probe host, the way verification
 * makes them (`connectVia`), and its banner. Then QUIT: nothing else is said.
 */
import type net from 'node:net';
import { describeEgress, type Egress } from '../../egress/config.ts';
import { connectVia, EgressConnectError } from '../../egress/connect.ts';
import { ReplyParser, type SmtpReply } from '../../smtp/reply.ts';
import { type ProbeHost, probeAddress } from '../probe-host.ts';
import { type Finding, fail, pass, warn } from '../types.ts';

export interface TcpOptions {
  port: number;
  connectMs: number;
  /** How long the banner may take; asked when connected, so it can fit what time is left. */
  bannerMs: () => number;
}

type Banner =
  | { kind: 'reply'; reply: SmtpReply }
  | { kind: 'timeout' }
  | { kind: 'closed'; why: string }
  | { kind: 'garbage'; text: string };

const OPEN_PORT_25 =
  'outbound TCP port 25 looks blocked (many cloud and home providers block it by default): ask the provider to open it, or probe through SMTP_PROXIES from a host that can';

export async function tcpCheck(
  egress: Egress,
  probe: ProbeHost,
  options: TcpOptions,
): Promise<Finding> {
  const family = egress.kind === 'local' ? (egress.localAddress.includes(':') ? 6 : 4) : null;
  const ip = probeAddress(probe, family);
  if (ip === null) {
    return fail(
      probe.problem === null
        ? `the probe host ${probe.host} has no IPv${family} address for this egress`
        : `cannot resolve the probe host ${probe.host}: ${probe.problem}`,
      'set DOCTOR_PROBE_HOST to a mail server this host can resolve (check DNS_SERVERS too)',
    );
  }
  // A probe host given as an address is named once.
  const where =
    probe.host === ip ? `${ip}:${options.port}` : `${probe.host} (${ip}:${options.port})`;
  const started = performance.now();
  let socket: net.Socket;
  try {
    socket = await connectVia(egress, { ip, port: options.port, timeoutMs: options.connectMs });
  } catch (error) {
    if (!(error instanceof EgressConnectError)) throw error;
    return connectFailure(egress, error, where, options.connectMs);
  }
  const from =
    egress.kind === 'socks5' ? `through ${describeEgress(egress)}` : (socket.localAddress ?? '?');
  const bannerMs = Math.max(0, Math.round(options.bannerMs()));
  const banner = await readBanner(socket, bannerMs);
  const ms = Math.round(performance.now() - started);
  switch (banner.kind) {
    case 'timeout':
      return fail(
        `${from} → ${where}: connected, but no banner within ${bannerMs} ms`,
        'something on the way holds SMTP (a firewall or antivirus proxy), or the probe host tarpits this address; try another DOCTOR_PROBE_HOST',
      );
    case 'closed':
      return fail(
        `${from} → ${where}: connected, then closed without a banner (${banner.why})`,
        'something on the way cuts SMTP, or the probe host drops this address; try another DOCTOR_PROBE_HOST',
      );
    case 'garbage':
      return warn(
        `${from} → ${where}: connected in ${ms} ms, but the answer is not SMTP: "${banner.text}"`,
        'port 25 reaches something that is not a mail server (an intercepting proxy?); set DOCTOR_PROBE_HOST to a real MX',
      );
    case 'reply': {
      const text = `${from} → ${where}: banner "${shown(banner.reply)}" in ${ms} ms`;
      if (banner.reply.code === 220) return pass(text);
      return warn(
        `${text}, which refuses the session`,
        'port 25 is open, but the probe host does not want this address: see the ptr, helo and blocklist lines',
      );
    }
  }
}

/** What the socket said, in words: the error's own message repeats where it was going. */
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED:
    'the connection was refused (ECONNREFUSED): nothing listens there, or a firewall on the way rejects it',
  ENETUNREACH: 'no route to that network (ENETUNREACH)',
  EHOSTUNREACH: 'the host cannot be reached (EHOSTUNREACH)',
  ECONNRESET: 'the connection was reset (ECONNRESET)',
};

function failureReason(error: EgressConnectError, connectMs: number): string {
  const { cause } = error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return SOCKET_ERRORS[code] ?? code;
  if (cause instanceof Error) return cause.message;
  return error.kind === 'timeout' ? `nothing answered within ${connectMs} ms` : error.message;
}

function connectFailure(
  egress: Egress,
  error: EgressConnectError,
  where: string,
  connectMs: number,
): Finding {
  const via = describeEgress(egress);
  const why = failureReason(error, connectMs);
  switch (error.kind) {
    case 'timeout':
      return fail(`no TCP connection to ${where} via ${via}: ${why}`, OPEN_PORT_25);
    case 'refused':
      return fail(
        `cannot connect to ${where} via ${via}: ${why}`,
        `${OPEN_PORT_25}; if the probe host itself is down, try another DOCTOR_PROBE_HOST`,
      );
    case 'proxy':
      return fail(
        error.message,
        egress.kind === 'socks5'
          ? `check the proxy of SMTP_PROXIES named ${egress.name}: is it running, and are its address and credentials right?`
          : 'take the address out of SMTP_LOCAL_ADDRESSES, or add it to one of the host’s interfaces',
      );
  }
}

/** The first reply the server sends, or why none came. Sends QUIT after it and lets go. */
function readBanner(socket: net.Socket, timeoutMs: number): Promise<Banner> {
  return new Promise((resolve) => {
    const parser = new ReplyParser();
    let done = false;
    const finish = (banner: Banner) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (banner.kind === 'reply') {
        // Polite: say goodbye, and close whatever the server does.
        socket.end('QUIT\r\n');
        setTimeout(() => socket.destroy(), 1000).unref();
      } else {
        socket.destroy();
      }
      resolve(banner);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), Math.max(0, timeoutMs));
    socket.on('data', (chunk: Buffer) => {
      try {
        const [reply] = parser.push(chunk);
        if (reply !== undefined) finish({ kind: 'reply', reply });
      } catch {
        finish({ kind: 'garbage', text: printable(chunk.toString('latin1')).slice(0, 60) });
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ kind: 'closed', why: error.code ?? error.message }),
    );
    socket.once('close', () => finish({ kind: 'closed', why: 'the server closed the connection' }));
    socket.resume();
  });
}

function shown(reply: SmtpReply): string {
  const enhanced = reply.enhanced === null ? '' : `${reply.enhanced} `;
  const first = `${reply.code} ${enhanced}${reply.lines[0] ?? ''}`.trim();
  const line = printable(first);
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').trim();
}
