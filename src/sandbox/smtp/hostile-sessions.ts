/**
 * Hosts that misbehave at the connection level, each the smallest byte-exact model of a failure
 * listclean meets in the wild. All of them still read (and so record) whatever the client sends.
 */
import type { SandboxConnection } from './connection.ts';
import { type HostContext, wireText } from './postfix-session.ts';
import { reply } from './replies.ts';

const HUGE_LINE_BYTES = 1024 * 1024;

/** Accepts the connection and never says a word: the client's banner timeout must fire. */
export async function tarpit(conn: SandboxConnection): Promise<void> {
  await drain(conn);
}

/** Greets, then closes: a crashing or overloaded MTA. */
export async function dropAfterBanner(conn: SandboxConnection, host: HostContext): Promise<void> {
  if (await conn.send(`${reply.banner(host.name)}\r\n`, host.latencyMs())) conn.end();
}

/** Speaks another protocol (an SSH daemon on the MX), then answers every line with binary junk. */
export async function garbage(conn: SandboxConnection, host: HostContext): Promise<void> {
  if (!(await conn.send(reply.garbageBanner, host.latencyMs()))) return;
  while ((await conn.nextLine()) !== undefined) {
    if (!(await conn.send(reply.garbage, host.latencyMs()))) return;
  }
}

/** A 1 MiB (or `bytes`) "banner" with no line end: the client must cap what it buffers. */
export async function hugeLine(
  conn: SandboxConnection,
  host: HostContext,
  bytes = HUGE_LINE_BYTES,
): Promise<void> {
  const line = Buffer.alloc(bytes, 'x');
  line.write('220 ');
  if (await conn.send(line, host.latencyMs())) await drain(conn);
}

/**
 * A 554 greeting (RFC 5321 §3.1): the server then refuses every command but QUIT with 503,
 * and keeps the connection until the client quits.
 */
export async function banner554(
  conn: SandboxConnection,
  host: HostContext,
  greeting = reply.bannerBlocked(conn.clientIp),
): Promise<void> {
  if (!(await conn.send(wireText(greeting), host.latencyMs()))) return;
  for (;;) {
    const line = await conn.nextLine();
    if (line === undefined) return;
    const quit = line.wellFormed && line.text.trim().toUpperCase() === 'QUIT';
    if (!(await conn.send(`${quit ? reply.bye : reply.badSequence}\r\n`, host.latencyMs()))) return;
    if (quit) return conn.end();
  }
}

/** Greets with a 421 (or any other closing reply) and hangs up, as RFC 5321 §3.8 describes. */
export async function closingBanner(
  conn: SandboxConnection,
  host: HostContext,
  text: string,
): Promise<void> {
  if (await conn.send(wireText(text), host.latencyMs())) conn.end();
}

/**
 * A slow loris: the banner comes one byte every `delayMs` and never ends. Every byte is fresh
 * activity, so only a client with a deadline for the whole reply gives up.
 */
export async function drip(conn: SandboxConnection, delayMs: number): Promise<void> {
  const step = delayMs > 0 ? delayMs : 100;
  const banner = Buffer.from('220-mx.sandbox.test ESMTP ');
  for (let i = 0; ; i++) {
    const byte = i < banner.length ? banner.subarray(i, i + 1) : Buffer.from('.');
    if (!(await conn.send(byte, step))) return;
  }
}

async function drain(conn: SandboxConnection): Promise<void> {
  while ((await conn.nextLine()) !== undefined) {
    // Read only so the lines are recorded; this host never answers.
  }
}
