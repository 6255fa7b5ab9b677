/** Connections through an egress, against a real SOCKS5 server (microsocks) and real sockets. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Egress, parseProxy } from '../../src/egress/config.ts';
import { connectVia, EgressConnectError } from '../../src/egress/connect.ts';
import { freePort } from '../helpers/redis-server.ts';
import { type RunningSocks, startSocks } from '../helpers/socks.ts';

let server: net.Server;
let serverPort: number;
let open: RunningSocks;
let guarded: RunningSocks;
/** Where each accepted connection came from. */
const peers: string[] = [];

beforeAll(async () => {
  server = net.createServer((socket) => {
    peers.push(socket.remoteAddress ?? '');
    socket.end('220 hello\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverPort = (server.address() as net.AddressInfo).port;
  open = await startSocks();
  guarded = await startSocks({ user: 'probe', password: 'pw-secret' }, '127.0.0.9');
});

afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
  await new Promise((resolve) => server?.close(resolve));
});

function proxy(url: string): Egress {
  const parsed = parseProxy(url);
  if (!parsed) throw new Error(`bad proxy url ${url}`);
  return { kind: 'socks5', ...parsed };
}

async function greeting(socket: net.Socket): Promise<string> {
  let text = '';
  for await (const chunk of socket) text += chunk;
  return text;
}

const failure = (pending: Promise<unknown>) =>
  pending.then(
    () => null,
    (error: unknown) => error as EgressConnectError,
  );

describe('connectVia', () => {
  const target = () => ({ ip: '127.0.0.1', port: serverPort, timeoutMs: 2000 });

  it('connects from a local address and from the default route', async () => {
    const local = await connectVia(
      { kind: 'local', name: '127.0.0.7', localAddress: '127.0.0.7' },
      target(),
    );
    expect(await greeting(local)).toBe('220 hello\r\n');
    expect(peers.at(-1)).toBe('127.0.0.7');
    const direct = await connectVia({ kind: 'default', name: 'default' }, target());
    expect(await greeting(direct)).toBe('220 hello\r\n');
  });

  it('connects through SOCKS5, with and without authentication', async () => {
    expect(await greeting(await connectVia(proxy(`eu1=${open.url}`), target()))).toBe(
      '220 hello\r\n',
    );
    const through = await connectVia(proxy(`eu2=${guarded.url}`), target());
    expect(await greeting(through)).toBe('220 hello\r\n');
    // The server saw the proxy's own outgoing address, not ours.
    expect(peers.at(-1)).toBe('127.0.0.9');
  });

  it('blames the proxy for a wrong password or a dead proxy, never printing the password', async () => {
    const wrong = await failure(
      connectVia(proxy(`eu2=socks5://probe:nope@127.0.0.1:${guarded.port}`), target()),
    );
    expect(wrong).toBeInstanceOf(EgressConnectError);
    expect(wrong?.kind).toBe('proxy');
    expect(wrong?.message).toMatch(/^the proxy eu2 \(socks5 127\.0\.0\.1:\d+\) failed: /);
    expect(wrong?.message).not.toContain('nope');
    const dead = await failure(
      connectVia(proxy(`dead=socks5://127.0.0.1:${await freePort()}`), target()),
    );
    expect(dead?.kind).toBe('proxy');
  });

  it('blames the target when the proxy reports it refused', async () => {
    const closed = await freePort();
    const refused = await failure(
      connectVia(proxy(`eu1=${open.url}`), { ip: '127.0.0.1', port: closed, timeoutMs: 2000 }),
    );
    expect(refused?.kind).toBe('refused');
    expect(refused?.message).toMatch(/through eu1 .*ConnectionRefused/);
    const direct = await failure(
      connectVia(
        { kind: 'default', name: 'default' },
        { ip: '127.0.0.1', port: closed, timeoutMs: 2000 },
      ),
    );
    expect(direct?.kind).toBe('refused');
  });
});
