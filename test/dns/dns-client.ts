/** A bare DNS client for testing the sandbox server on the wire, UDP or TCP, loopback only. */
import dgram from 'node:dgram';
import net from 'node:net';
import type { DecodedPacket, Packet } from 'dns-packet';
import dnsPacket from 'dns-packet';

/** dns-packet decodes the response code too; its typings leave it out. */
export type Reply = DecodedPacket & { rcode: string };

export function query(name: string, type: 'MX' | 'A' | 'AAAA' | 'TXT', id = 4242): Buffer {
  const packet: Packet = {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
  };
  return dnsPacket.encode(packet);
}

/** Sends datagrams to 127.0.0.1:port; resolves with the first reply, or null after `waitMs`. */
export function overUdp(port: number, messages: Buffer[], waitMs = 1000): Promise<Reply | null> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (reply: Reply | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(null), waitMs);
    socket.on('message', (reply) => finish(dnsPacket.decode(reply) as Reply));
    for (const message of messages) socket.send(message, port, '127.0.0.1');
  });
}

/** Sends one length-prefixed message over TCP to 127.0.0.1:port and decodes the reply. */
export function overTcp(port: number, message: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.destroy();
        resolve(dnsPacket.decode(received.subarray(2, 2 + received.readUInt16BE(0))) as Reply);
      }
    });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(message.length);
    // Two writes, so the server must reassemble a message split across reads.
    socket.write(Buffer.concat([prefix, message.subarray(0, 5)]));
    setTimeout(() => socket.write(message.subarray(5)), 20);
  });
}

/**
 * The fields an MX answer is about, whatever else the runtime adds (Node 24's resolver adds
 * `type: 'MX'` to each record).
 */
export function mxRecords(
  records: ReadonlyArray<{ exchange: string; priority: number }>,
): Array<{ exchange: string; priority: number }> {
  return records.map(({ exchange, priority }) => ({ exchange, priority }));
}
