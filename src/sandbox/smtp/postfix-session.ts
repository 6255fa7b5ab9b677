/**
 * The SMTP conversation of a well-behaved sandbox host, modelled on Postfix's smtpd: commands are
 * answered strictly in order (so pipelining works whether or not it is advertised), every reply
 * waits the host's latency, and Postfix's error throttling applies: once `soft` error replies
 * were sent in a session each further reply is delayed by `sleepMs`, and right after the
 * `hard`-th the server says 421 and hangs up. RSET does not forgive errors (nor does Postfix).
 * With `starttls`, STARTTLS upgrades the connection and starts the session afresh (RFC 3207).
 * The latency applies per reply, or per round trip (`latencyModel`); a host may lie about
 * PIPELINING (`pipelining: 'rejects' | 'closes' | 'out-of-step'`, see ScenarioHost).
 */
import type { SecureContext } from 'node:tls';
import type { LatencyModel, ScenarioDomain, ScenarioHost } from '../scenario/scenario.ts';
import type { SandboxConnection } from './connection.ts';
import type { Greylist } from './greylist.ts';
import { stripBrackets } from './host-stats.ts';
import type { RcptRateLimiter } from './rate-limiter.ts';
import { rcptReply } from './rcpt-policy.ts';
import { formatReply, reply } from './replies.ts';

/** What a session needs from its host; read live so world updates apply mid-run. */
export interface HostContext {
  readonly name: string;
  readonly greylist: Greylist;
  readonly rateLimiter: RcptRateLimiter;
  /** The certificate for STARTTLS; undefined when no host of the world offers it. */
  readonly secureContext: SecureContext | undefined;
  config(): ScenarioHost;
  latencyMs(): number;
  latencyModel(): LatencyModel;
  servedDomain(domain: string): ScenarioDomain | undefined;
}

/** Postfix defaults: smtpd_soft_error_limit, smtpd_hard_error_limit, smtpd_error_sleep_time. */
const DEFAULT_ERROR_LIMITS = { soft: 10, hard: 20, sleepMs: 1000 };
/** Postfix's smtpd_recipient_limit. */
const DEFAULT_RECIPIENT_LIMIT = 1000;

type Outcome = 'continue' | 'close';

/** CRLF after every line: scenario replies have one wire line per `\n`-separated line. */
export function wireText(text: string): string {
  return `${text.replace(/\r?\n$/, '').replace(/\r?\n/g, '\r\n')}\r\n`;
}

export class PostfixSession {
  private errors = 0;
  private greeted = false;
  /** The MAIL FROM address of the open transaction; undefined when there is none. */
  private mailFrom: string | undefined;
  private rcptCount = 0;
  private acceptedRcpts = 0;
  /** When the command being answered arrived (the connection's start, for the banner). */
  private commandAt: number;
  /** The last reply sent, and whether the line before this one was pipelined (`out-of-step`). */
  private lastReply = '';
  private lastPipelined = false;

  constructor(
    private readonly conn: SandboxConnection,
    private readonly host: HostContext,
    private readonly mode: 'normal' | 'silent' | 'drop-mid-session',
  ) {
    this.commandAt = conn.openedAt;
  }

  async run(): Promise<void> {
    if (!(await this.say(reply.banner(this.host.name)))) return;
    for (;;) {
      const line = await this.conn.nextLine();
      if (line === undefined) return;
      if (this.mode === 'silent') continue;
      this.commandAt = line.at;
      const lie = this.pipeliningLie(line.pipelined && line.wellFormed);
      if (lie === 'close') {
        this.conn.destroy();
        return;
      }
      const outcome = lie
        ? await this.sayContinue(reply.improperPipelining)
        : line.tooLong
          ? await this.sayContinue(reply.lineTooLong)
          : line.wellFormed
            ? await this.command(line.text)
            : await this.sayContinue(reply.badSyntax);
      if (outcome === 'close' || this.conn.closed) return;
      const limits = this.errorLimits();
      if (limits !== undefined && this.errors >= limits.hard) {
        await this.say(reply.tooManyErrors(this.host.name));
        this.conn.end();
        return;
      }
    }
  }

  /**
   * What a lying host does with this line: `close` the connection, answer it with the refusal
   * (true), or answer it as usual (false) — after repeating the last reply first, when out of
   * step and this line starts a pipelined run.
   */
  private pipeliningLie(pipelined: boolean): 'close' | boolean {
    const lie = this.host.config().pipelining;
    const starts = pipelined && !this.lastPipelined;
    this.lastPipelined = pipelined;
    if (!pipelined || typeof lie !== 'string') return false;
    if (lie === 'closes') return 'close';
    if (lie === 'rejects') return true;
    if (starts) void this.conn.send(wireText(this.lastReply), 0, true);
    return false;
  }

  private async command(text: string): Promise<Outcome> {
    const space = text.indexOf(' ');
    const verb = (space === -1 ? text : text.slice(0, space)).toUpperCase();
    const argument = space === -1 ? '' : text.slice(space + 1).trim();
    switch (verb) {
      case 'EHLO':
        if (this.host.config().heloOnly) return this.sayContinue(reply.notRecognized);
        return this.greet('EHLO', argument);
      case 'HELO':
        return this.greet('HELO', argument);
      case 'MAIL':
        return this.mail(argument);
      case 'RCPT':
        return this.rcpt(argument);
      case 'RSET':
        this.resetTransaction();
        return this.sayContinue(reply.ok);
      case 'NOOP':
        return this.sayContinue(reply.ok);
      case 'QUIT':
        await this.say(reply.bye);
        this.conn.end();
        return 'close';
      case 'DATA':
        if (this.mailFrom === undefined) return this.sayContinue(reply.needRcpt);
        return this.sayContinue(this.acceptedRcpts === 0 ? reply.noValidRecipients : reply.noData);
      case 'VRFY':
        return this.sayContinue(reply.vrfyDisabled);
      case 'STARTTLS':
        return this.starttls(argument);
      case 'AUTH':
      case 'BDAT':
      case 'ETRN':
        return this.sayContinue(reply.notImplemented);
      default:
        return this.sayContinue(text === '' ? reply.badSyntax : reply.notRecognized);
    }
  }

  private async greet(verb: 'EHLO' | 'HELO', argument: string): Promise<Outcome> {
    if (argument === '') return this.sayContinue(reply.greetingSyntax(verb));
    const refusal = this.host.config().heloReply;
    if (refusal !== undefined) return this.sayContinue(refusal);
    this.greeted = true;
    this.resetTransaction();
    if (verb === 'HELO') return this.sayContinue(reply.helo(this.host.name));
    const config = this.host.config();
    const pipelining = config.pipelining !== false;
    const starttls = (config.starttls ?? false) !== false && !this.conn.tls;
    return this.sayContinue(formatReply('250', reply.ehlo(this.host.name, pipelining, starttls)));
  }

  /** RFC 3207: `220`, then TLS over the same connection, and the session starts afresh. */
  private async starttls(argument: string): Promise<Outcome> {
    const mode = this.host.config().starttls ?? false;
    if (mode === false) return this.sayContinue(reply.notImplemented);
    if (this.conn.tls) return this.sayContinue(reply.tlsAlreadyActive);
    if (argument !== '') return this.sayContinue(reply.starttlsSyntax);
    const context = mode === 'broken' ? undefined : this.host.secureContext;
    if (mode === true && context === undefined) return this.sayContinue(reply.tlsUnavailable);
    this.conn.holdForTls();
    if (!(await this.say(reply.readyToStartTls))) return 'close';
    if (context === undefined) {
      // 'broken': a middlebox that lets STARTTLS through but not the handshake.
      this.conn.breakTls(reply.garbage);
      return 'close';
    }
    if (!(await this.conn.startTls(context))) return 'close';
    // §4.2: forget all the client said in plaintext, its EHLO included; it must greet again.
    this.greeted = false;
    this.resetTransaction();
    return 'continue';
  }

  private async mail(argument: string): Promise<Outcome> {
    if (!this.greeted) return this.sayContinue(reply.greetFirst);
    if (this.mailFrom !== undefined) return this.sayContinue(reply.nestedMail);
    const path = /^FROM:\s*(<[^<>]*>|[^\s<>]+)(\s.*)?$/i.exec(argument)?.[1];
    if (path === undefined) return this.sayContinue(reply.mailSyntax);
    const config = this.host.config();
    if (config.blockSender) return this.sayContinue(reply.senderBlocked(this.conn.clientIp));
    if (config.mailReply !== undefined) return this.sayContinue(config.mailReply);
    this.mailFrom = stripBrackets(path);
    return this.sayContinue(reply.mailOk);
  }

  private async rcpt(argument: string): Promise<Outcome> {
    if (this.mode === 'drop-mid-session') {
      this.conn.destroy();
      return 'close';
    }
    if (this.mailFrom === undefined) return this.sayContinue(reply.needMail);
    const path = /^TO:\s*(<[^<>]*>|[^\s<>]+)(\s.*)?$/i.exec(argument)?.[1];
    if (path === undefined) return this.sayContinue(reply.rcptSyntax);
    const config = this.host.config();
    const now = Date.now();
    if (
      config.rateLimit &&
      !this.host.rateLimiter.take(this.conn.clientIp, config.rateLimit, now)
    ) {
      await this.say(reply.rateLimited(this.conn.clientIp));
      this.conn.end();
      return 'close';
    }
    if (this.rcptCount >= (config.recipientLimit ?? DEFAULT_RECIPIENT_LIMIT)) {
      return this.sayContinue(reply.tooManyRecipients);
    }
    this.rcptCount++;

    const address = stripBrackets(path);
    const at = address.lastIndexOf('@');
    if (at <= 0) return this.sayContinue(reply.notQualified(address));
    const domain = address
      .slice(at + 1)
      .toLowerCase()
      .replace(/\.$/, '');
    const mailFrom = this.mailFrom;
    const answer = rcptReply(
      { address, local: address.slice(0, at), domain },
      this.host.servedDomain(domain),
      config,
      (rule) =>
        this.host.greylist.defers(
          { clientIp: this.conn.clientIp, mailFrom, rcpt: address },
          rule,
          now,
        ),
    );
    if (answer.startsWith('2')) this.acceptedRcpts++;
    return this.sayContinue(answer);
  }

  private resetTransaction(): void {
    this.mailFrom = undefined;
    this.rcptCount = 0;
    this.acceptedRcpts = 0;
  }

  private async sayContinue(text: string): Promise<Outcome> {
    return (await this.say(text)) ? 'continue' : 'close';
  }

  /** Sends one reply after the latency and any error-throttling sleep; counts error replies. */
  private async say(text: string): Promise<boolean> {
    const limits = this.errorLimits();
    const throttled = limits !== undefined && this.errors >= limits.soft;
    const latency = this.host.latencyMs();
    // Per round trip: the wait started when the command arrived, not when its turn came.
    const wait =
      this.host.latencyModel() === 'round-trip'
        ? Math.max(0, this.commandAt + latency - performance.now())
        : latency;
    const sent = await this.conn.send(wireText(text), wait + (throttled ? limits.sleepMs : 0));
    this.lastReply = text;
    if (text.startsWith('4') || text.startsWith('5')) {
      this.errors++;
      this.conn.errorsGiven(this.errors);
    }
    return sent;
  }

  private errorLimits(): { soft: number; hard: number; sleepMs: number } | undefined {
    const limits = this.host.config().errorLimits;
    return limits === false ? undefined : (limits ?? DEFAULT_ERROR_LIMITS);
  }
}
