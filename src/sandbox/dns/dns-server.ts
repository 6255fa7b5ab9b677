/**
 * The sandbox mail world's DNS server (DESIGN §6): a real server on a loopback port, UDP plus
 * TCP on the same port, so listclean's resolver (c-ares) is exercised end to end, truncation
 * fallback included, without a single packet leaving the machine.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Answer, DecodedPacket, OptAnswer, Packet, Question } from 'dns-packet';
import dnsPacket from 'dns-packet';
import { ListcleanError } from '../../errors.ts';

export type DnsRecord =
  | { type: 'MX'; name: string; preference: number; exchange: string; ttl?: number }
  | { type: 'A'; name: string; address: string; ttl?: number }
  | { type: 'AAAA'; name: string; address: string; ttl?: number }
  /** One TXT record; a value over 255 bytes is sent as several strings, as DNS requires. */
  | { type: 'TXT'; name: string; text: string; ttl?: number }
  | { type: 'PTR'; name: string; target: string; ttl?: number };

export type DnsAnswer =
  /** Empty `records` is NODATA: the name exists, the type does not. */
  | { rcode: 'NOERROR'; records: DnsRecord[] }
  | { rcode: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' }
  /** Never answer, so the client times out. */
  | { drop: true };

/** `MX`, `A`, `AAAA`, or whatever else dns-packet names the question type (`TXT`, …). */
export type DnsQuestionType = 'MX' | 'A' | 'AAAA' | string;

export interface SandboxDnsServer {
  host: string;
  port: number;
  /** Questions received, e.g. `MX example.com`, in order, for tests to assert on. */
  readonly queries: string[];
  /** The subset of `queries` that arrived over TCP (after a truncated UDP answer). */
  readonly tcpQueries: string[];
  close(): Promise<void>;
}

export interface DnsServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port, the same one for UDP and TCP. */
  port?: number;
  /** Decides every answer. `name` is lower-case without the trailing dot. A throw is SERVFAIL. */
  answer: (name: string, type: DnsQuestionType) => DnsAnswer | Promise<DnsAnswer>;
}

const DEFAULT_TTL_SECONDS = 300;
/** RFC 1035 §4.2.1: without EDNS a UDP answer must fit in 512 bytes. */
const CLASSIC_UDP_LIMIT = 512;
/** The payload size we advertise and accept at most over EDNS (the DNS flag day 2020 value). */
const EDNS_UDP_LIMIT = 1232;
/** A free port for UDP may already be taken for TCP; this many tries is plenty on loopback. */
const BIND_ATTEMPTS = 20;

const RCODE_VALUES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export async function startDnsServer(options: DnsServerOptions): Promise<SandboxDnsServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 0;
  const attempts = requestedPort === 0 ? BIND_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(host, requestedPort);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(host, port);
      return serve(host, port, udp, tcp, options.answer);
    } catch (error) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (errorCode(error) !== 'EADDRINUSE' || attempt >= attempts) {
        throw new ListcleanError(
          'sandbox_dns_unavailable',
          `The sandbox DNS server could not listen on TCP ${host}:${port} ` +
            `(${errorCode(error) ?? String(error)}); free that port or leave the port unset.`,
          { cause: error },
        );
      }
    }
  }
}

function serve(
  host: string,
  port: number,
  udp: dgram.Socket,
  tcp: net.Server,
  answer: DnsServerOptions['answer'],
): SandboxDnsServer {
  const queries: string[] = [];
  const tcpQueries: string[] = [];
  const connections = new Set<net.Socket>();
  let closed = false;

  const respond = async (message: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | null> => {
    const query = decodeQuery(message);
    if (query === null) return null;
    const { packet, question } = query;
    const name = normaliseName(question.name);
    const label = `${question.type} ${name}`;
    queries.push(label);
    if (transport === 'tcp') tcpQueries.push(label);

    let decided: DnsAnswer;
    try {
      decided = await answer(name, question.type);
    } catch {
      decided = { rcode: 'SERVFAIL' };
    }
    if ('drop' in decided || closed) return null;

    const response = buildResponse(packet, question, decided);
    const encoded = dnsPacket.encode(response);
    if (transport === 'udp' && encoded.length > udpLimit(packet)) {
      // Too big for this client over UDP: send the header with TC set, so it asks again over TCP.
      return dnsPacket.encode({
        ...response,
        flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
        answers: [],
      });
    }
    return encoded;
  };

  udp.on('message', (message, remote) => {
    void respond(message, 'udp').then((reply) => {
      if (reply === null || closed) return;
      // A failed send to a vanished client is not the server's problem.
      udp.send(reply, remote.port, remote.address, () => {});
    });
  });
  // Errors after a successful bind (e.g. ICMP unreachable on send) must not crash the sandbox.
  udp.on('error', () => {});

  tcp.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      // RFC 1035 §4.2.2: every message is preceded by its length as two bytes.
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        void respond(message, 'tcp').then((reply) => {
          if (reply === null || socket.destroyed) return;
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([prefix, reply]));
        });
      }
    });
  });

  return {
    host,
    port,
    queries,
    tcpQueries,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const socket of connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** The packet and its single question, or null for anything a server should silently ignore. */
function decodeQuery(message: Buffer): { packet: DecodedPacket; question: Question } | null {
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(message);
  } catch {
    return null;
  }
  const question = packet.questions?.[0];
  if (packet.type !== 'query' || packet.questions?.length !== 1 || question === undefined) {
    return null;
  }
  return { packet, question };
}

function buildResponse(query: DecodedPacket, question: Question, decided: DnsAnswer): Packet {
  const rcode = 'rcode' in decided ? decided.rcode : 'NOERROR';
  const records = 'records' in decided ? decided.records : [];
  const ednsOpt: OptAnswer = {
    type: 'OPT',
    name: '.',
    udpPayloadSize: EDNS_UDP_LIMIT,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
  return {
    id: query.id ?? 0,
    type: 'response',
    flags:
      dnsPacket.AUTHORITATIVE_ANSWER |
      (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) |
      RCODE_VALUES[rcode],
    questions: [question],
    answers: records.map((record) => toAnswer(record, question)),
    // RFC 6891 §6.1.1: answer EDNS with EDNS.
    additionals: findOpt(query) === undefined ? [] : [ednsOpt],
  };
}

function toAnswer(record: DnsRecord, question: Question): Answer {
  // Echo the question's spelling of the owner name, in case the client randomised its case.
  const name =
    normaliseName(record.name) === normaliseName(question.name) ? question.name : record.name;
  const common = { name, ttl: record.ttl ?? DEFAULT_TTL_SECONDS, class: 'IN' as const };
  switch (record.type) {
    case 'MX':
      // `.` (null MX, RFC 7505) is encoded by dns-packet as the root name.
      return {
        ...common,
        type: 'MX',
        data: { preference: record.preference, exchange: record.exchange },
      };
    case 'A':
      return { ...common, type: 'A', data: record.address };
    case 'AAAA':
      return { ...common, type: 'AAAA', data: record.address };
    case 'TXT':
      return { ...common, type: 'TXT', data: txtStrings(record.text) };
    case 'PTR':
      return { ...common, type: 'PTR', data: record.target };
  }
}

/** RFC 1035 §3.3.14: character-strings of at most 255 bytes each. */
function txtStrings(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) parts.push(bytes.subarray(i, i + 255));
  return parts.length > 0 ? parts : [Buffer.alloc(0)];
}

function findOpt(packet: DecodedPacket): OptAnswer | undefined {
  return packet.additionals?.find((record): record is OptAnswer => record.type === 'OPT');
}

function udpLimit(query: DecodedPacket): number {
  const opt = findOpt(query);
  if (opt === undefined) return CLASSIC_UDP_LIMIT;
  return Math.min(Math.max(opt.udpPayloadSize, CLASSIC_UDP_LIMIT), EDNS_UDP_LIMIT);
}

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(
        new ListcleanError(
          'sandbox_dns_unavailable',
          `The sandbox DNS server could not bind UDP ${host}:${port} (${errorCode(error)}); ` +
            'free that port or leave the port unset.',
          { cause: error },
        ),
      );
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function listenTcp(host: string, port: number): Promise<net.Server> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve(server);
    });
  });
}

/** A static zone: NXDOMAIN for names with no record, NODATA for names without that type. */
export function answerFromRecords(
  records: DnsRecord[],
): (name: string, type: DnsQuestionType) => DnsAnswer {
  return (name, type) => {
    const owned = records.filter((record) => normaliseName(record.name) === name);
    if (owned.length === 0) return { rcode: 'NXDOMAIN' };
    return { rcode: 'NOERROR', records: owned.filter((record) => record.type === type) };
  };
}
