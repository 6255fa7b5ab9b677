/**
 * One sandbox SMTP host: a plain `net` server on its own 127.0.0.x address that counts every
 * connection, turns away the ones over `maxConcurrent` or the client's rate budget, and runs the
 * host's behaviour on the others.
 */
import net from 'node:net';
import type { SecureContext } from 'node:tls';
import type { LatencyModel, ScenarioDomain, ScenarioHost } from '../scenario/scenario.ts';
import type { WorldState } from '../world/world-state.ts';
import { SandboxConnection } from './connection.ts';
import { Greylist } from './greylist.ts';
import { HostStatsRecorder } from './host-stats.ts';
import * as hostile from './hostile-sessions.ts';
import { type HostContext, PostfixSession } from './postfix-session.ts';
import { RcptRateLimiter } from './rate-limiter.ts';
import { reply } from './replies.ts';

export class SandboxSmtpHost implements HostContext {
  readonly recorder = new HostStatsRecorder();
  readonly greylist = new Greylist();
  readonly rateLimiter = new RcptRateLimiter();
  private server: net.Server | undefined;
  private readonly connections = new Set<SandboxConnection>();
  /** Sessions let through (turned-away ones excluded): what `maxConcurrent` limits. */
  private admitted = 0;

  constructor(
    readonly name: string,
    private readonly world: WorldState,
    readonly secureContext: SecureContext | undefined = undefined,
  ) {}

  config(): ScenarioHost {
    return this.world.host(this.name);
  }

  latencyMs(): number {
    return this.world.latencyMs(this.name);
  }

  latencyModel(): LatencyModel {
    return this.world.latencyModel(this.name);
  }

  servedDomain(domain: string): ScenarioDomain | undefined {
    return this.world.servedBy(this.name, domain);
  }

  /** Listens on `ip:port`; rejects with the socket error (EADDRINUSE, EADDRNOTAVAIL, …). */
  listen(ip: string, port: number): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: ip, port, exclusive: true }, () => {
        server.removeListener('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const conn of this.connections) conn.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    // Each reply leaves when it is due: with Nagle, a reply written while the one before is
    // unacknowledged waits for the client's delayed ACK (~40 ms), whatever the latency says.
    // (Postfix gets the same by writing a pipelined group's replies in one flush.)
    socket.setNoDelay(true);
    const conn = new SandboxConnection(socket, this.recorder);
    this.connections.add(conn);
    this.recorder.connectionOpened(conn.clientIp);
    conn.onClose(() => {
      this.connections.delete(conn);
      this.recorder.connectionClosed();
    });

    const config = this.config();
    const overConcurrency =
      config.maxConcurrent !== undefined && this.admitted >= config.maxConcurrent;
    const overRate =
      config.rateLimit !== undefined &&
      this.rateLimiter.exhausted(conn.clientIp, config.rateLimit, Date.now());
    if (overConcurrency || overRate) {
      this.recorder.turnedAway();
      const text = overConcurrency ? reply.tooManyConnections : reply.rateLimited(conn.clientIp);
      void hostile.closingBanner(conn, this, text);
      return;
    }
    this.admitted++;
    conn.onClose(() => this.admitted--);
    // A behaviour bug must cost one connection, never the whole world.
    this.behave(conn, config).catch(() => conn.destroy());
  }

  private behave(conn: SandboxConnection, config: ScenarioHost): Promise<void> {
    if (config.greeting !== undefined && (config.behavior ?? 'normal') === 'normal') {
      return config.greeting.startsWith('4')
        ? hostile.closingBanner(conn, this, config.greeting)
        : hostile.banner554(conn, this, config.greeting);
    }
    switch (config.behavior ?? 'normal') {
      case 'normal':
        return new PostfixSession(conn, this, 'normal').run();
      case 'silent':
        return new PostfixSession(conn, this, 'silent').run();
      case 'drop-mid-session':
        return new PostfixSession(conn, this, 'drop-mid-session').run();
      case 'tarpit':
        return hostile.tarpit(conn);
      case 'drop-after-banner':
        return hostile.dropAfterBanner(conn, this);
      case 'garbage':
        return hostile.garbage(conn, this);
      case 'huge-line':
        return hostile.hugeLine(conn, this, config.hugeLineBytes);
      case 'drip':
        return hostile.drip(conn, this.latencyMs());
      case 'banner-554':
        return hostile.banner554(conn, this);
      case 'banner-421':
        return hostile.closingBanner(conn, this, reply.bannerTryLater(this.name));
      case 'refuse':
        // Never reached: refusing hosts get no listener. Should one be added later, refuse anyway.
        conn.destroy();
        return Promise.resolve();
    }
  }
}
