/**
 * A sandbox mail world, described as data (DESIGN §6). Tests, the demo and the benchmark build
 * one of these; `listclean sandbox --scenario FILE` reads the same shape from JSON or YAML.
 */

export interface Scenario {
  /** Mail domains, by name (lower-case ASCII). A name that is not here answers NXDOMAIN. */
  domains: Record<string, ScenarioDomain>;
  /** SMTP hosts, by host name. An MX host name that is not here gets default behaviour. */
  hosts?: Record<string, ScenarioHost>;
  /** Latency added before every SMTP reply of every host, unless the host overrides it. */
  latencyMs?: number;
  /** How that latency applies (default `per-reply`); a host may override it. */
  latencyModel?: LatencyModel;
  /** TTL of every DNS record published (default 60 s); lower it to see `updateDomain` sooner. */
  dnsTtlSeconds?: number;
  /**
   * Any other DNS records: reverse DNS (`PTR` at `5.0.0.127.in-addr.arpa`), DMARC (`TXT` at
   * `_dmarc.example.com`), blocklist entries (`A 127.0.0.2` at `5.0.0.127.zen.example`), … A
   * name given here exists; its other types answer NODATA.
   */
  records?: ScenarioRecord[];
}

export interface ScenarioRecord {
  name: string;
  type: 'A' | 'AAAA' | 'TXT' | 'PTR' | 'MX';
  /** The address (A/AAAA), text (TXT), target name (PTR) or exchange (MX). */
  value: string;
  /** MX only (default 10). */
  preference?: number;
}

export interface ScenarioDomain {
  /** MX records. Absent and no `a`: the domain exists but has no mail server. */
  mx?: Array<{ host: string; preference?: number }>;
  /** Publish `MX 0 .` (RFC 7505). */
  nullMx?: boolean;
  /** A records of the domain itself (implicit MX when there is no MX). Use `implicitMx` for a sandbox-assigned one. */
  a?: string[];
  /** AAAA records of the domain itself (published only; the sandbox never listens on them). */
  aaaa?: string[];
  /** TXT records of the domain itself, e.g. `v=spf1 ip4:127.0.0.0/8 -all`. */
  txt?: string[];
  /** The domain's own name is an SMTP host of the sandbox (implicit MX, RFC 5321 §5.1). */
  implicitMx?: boolean;
  /** DNS answers SERVFAIL for every query about this domain. */
  servfail?: boolean;
  /** DNS never answers queries about this domain. */
  dnsTimeout?: boolean;

  /** Local parts that exist (case-insensitive). */
  mailboxes?: string[];
  /** Accept every recipient. */
  catchAll?: boolean;
  /** Local parts whose mailbox is full: `452 4.2.2`. */
  full?: string[];
  /** Local parts that are disabled: `550 5.2.1`. */
  disabled?: string[];
  /** Greylist every (client ip, MAIL FROM, RCPT) triplet: `450 4.2.0` for the first `tries` attempts and/or until `ms` passed since the first. `tries: -1` greylists forever. */
  greylist?: { tries?: number; ms?: number };
  /** Reply used for unknown recipients instead of `550 5.1.1 ... User unknown`, e.g. `550 5.4.1 Recipient address rejected: Access denied`. */
  unknownReply?: string;
  /** Every RCPT at this domain gets `550 5.7.1` (policy block). */
  policyBlock?: boolean;
  /**
   * The exact reply to RCPT for these local parts (case-insensitive), e.g. a reply a real
   * server gave: `{ "bob": "550 5.1.1 <bob@x>... User unknown" }`. Multi-line replies have one
   * wire line per line (`550-…` then `550 …`).
   */
  replies?: Record<string, string>;
}

/** How a server that advertises PIPELINING breaks it (see `ScenarioHost.pipelining`). */
export type PipeliningLie = 'rejects' | 'closes' | 'out-of-step';

/**
 * `per-reply`: every reply waits `latencyMs` after the host got round to its command, one after
 * another, so pipelined commands cost the latency each (a slow server). `round-trip`: a reply
 * leaves `latencyMs` after its command arrived, never before the reply before it, so commands
 * pipelined together share one wait (a fast server behind a slow link, as PIPELINING assumes).
 */
export type LatencyModel = 'per-reply' | 'round-trip';

export type HostBehavior =
  /** A well-behaved MTA. */
  | 'normal'
  /** Accepts the connection and never sends the banner. */
  | 'tarpit'
  /** Sends the banner, then never answers anything. */
  | 'silent'
  /** Closes the connection right after the banner. */
  | 'drop-after-banner'
  /** Closes the connection after the first RCPT is received, without a reply. */
  | 'drop-mid-session'
  /** Answers with bytes that are not SMTP replies. */
  | 'garbage'
  /** Sends a reply line without CRLF, `hugeLineBytes` long (default 1 MiB). */
  | 'huge-line'
  /** Drips a never-ending banner one byte at a time (every `latencyMs`, default 100 ms): a
   * client whose timeout restarts on every byte never gives up. */
  | 'drip'
  /** `554` banner (we are listed / not welcome). */
  | 'banner-554'
  /** `421` banner (too many connections / try later). */
  | 'banner-421'
  /** Nothing listens: connection refused. */
  | 'refuse';

export interface ScenarioHost {
  /** Address to listen on; the sandbox assigns a free 127.0.0.x when absent. */
  ip?: string;
  behavior?: HostBehavior;
  /** Latency before each reply, overriding the scenario's. */
  latencyMs?: number;
  /**
   * Advertise PIPELINING (default true). A lie advertises it and then breaks it: a command that
   * arrived before the reply to the one before it was sent (a pipelined one) is, with
   * `rejects`, answered `503 5.5.0 Error: improper use of SMTP command pipelining`; with
   * `closes`, met by closing the connection without a word; with `out-of-step`, answered, but the
   * first of each pipelined run gets the previous reply again first, so every later reply of the
   * session comes one step late.
   */
  pipelining?: boolean | PipeliningLie;
  /** How `latencyMs` applies, overriding the scenario's. */
  latencyModel?: LatencyModel;
  /**
   * Offer STARTTLS (RFC 3207) with a self-signed certificate for `mx.sandbox.test`, made by
   * `openssl` (which must be on PATH). `'broken'`: advertise it and answer `220`, then answer the
   * TLS handshake with junk and hang up, like a broken middlebox. Default false.
   */
  starttls?: boolean | 'broken';
  /** Reject EHLO with 502 so the client must fall back to HELO (default false). */
  heloOnly?: boolean;
  /** More concurrent sessions than this get `421 4.7.0 Too many connections` (default unlimited). */
  maxConcurrent?: number;
  /** RCPTs (any outcome) after which this host answers `421 4.7.28 rate limited` and closes; per client ip, per `windowMs`. */
  rateLimit?: { rcpts: number; windowMs: number };
  /** Postfix-like error throttling (default on: soft 10, hard 20, 1000 ms): after `soft` rejected RCPTs in a session each reply waits `sleepMs`; at `hard` the server says `421 4.7.0 Error: too many errors` and hangs up. */
  errorLimits?: { soft: number; hard: number; sleepMs: number } | false;
  /** Every MAIL FROM gets `550 5.7.1 ... blocked using zen.spamhaus.org` (our IP is listed). */
  blockSender?: boolean;
  /** Accept every RCPT at RCPT time, for any domain it serves (consumer giants that bounce later). */
  acceptAll?: boolean;
  /**
   * Greet with this reply instead of `220`: a 5xx greeting then refuses every command but QUIT
   * (RFC 5321 §3.1), a 4xx one hangs up. One wire line per line.
   */
  greeting?: string;
  /** Answer EHLO and HELO with this refusal. */
  heloReply?: string;
  /** Answer MAIL FROM with this refusal. */
  mailReply?: string;
  /** How long the `huge-line` banner is, in bytes (default 1 MiB). */
  hugeLineBytes?: number;
  /** RCPTs one transaction may carry before `452 4.5.3 Error: too many recipients` (Postfix's smtpd_recipient_limit, default 1000). */
  recipientLimit?: number;
}
