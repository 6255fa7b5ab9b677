/**
 * Lua scripts registered with ioredis `defineCommand`: ioredis sends EVALSHA and falls back to
 * EVAL once when the server does not know the script yet (after a restart or failover).
 */
import { readFileSync } from 'node:fs';
import type { RedisClient } from './connect.ts';

export interface LuaScript {
  /** The command name on the client; `lc` keeps it clear of ioredis' own methods. */
  readonly name: `lc${string}`;
  readonly numberOfKeys: number;
  readonly lua: string;
}

/**
 * A script whose Lua lives in a `.lua` file (next to the module that runs it, passed as
 * `new URL('./x.lua', import.meta.url)`), read once when the module loads; `prelude` is Lua
 * several scripts share (the Redis clock).
 */
export function luaScript(
  name: LuaScript['name'],
  numberOfKeys: number,
  file: URL,
  prelude = '',
): LuaScript {
  return { name, numberOfKeys, lua: `${prelude}${luaText(file)}` };
}

/** The text of a `.lua` file (a prelude for `luaScript`). */
export function luaText(file: URL): string {
  return readFileSync(file, 'utf8');
}

type ScriptCommand = (...args: Array<string | number>) => Promise<unknown>;

export function defineScripts(client: RedisClient, scripts: readonly LuaScript[]): void {
  for (const script of scripts) {
    client.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
}

export function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  const command = (client as unknown as Record<string, ScriptCommand | undefined>)[script.name];
  if (typeof command !== 'function') {
    throw new Error(`Lua script ${script.name} was not defined on this Redis client`);
  }
  return command.call(client, ...keys, ...args);
}
