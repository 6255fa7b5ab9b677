import type { SandboxDnsServer } from '../../src/sandbox/index.ts';

/** Runs `action` and returns the questions the sandbox DNS server received meanwhile. */
export async function queriesDuring(
  server: SandboxDnsServer,
  action: () => Promise<unknown>,
): Promise<string[]> {
  const before = server.queries.length;
  await action();
  return server.queries.slice(before);
}
