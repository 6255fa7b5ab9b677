import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../../src/log/logger.ts';

function capture(level: string, format?: LogFormat) {
  const lines: string[] = [];
  const log = createLogger({
    level,
    ...(format ? { format } : {}),
    write: (line) => lines.push(line),
  });
  return { log, lines };
}

describe('createLogger, JSON (worker, serve)', () => {
  it('writes one JSON object per line with the ids as fields', () => {
    const { log, lines } = capture('info');
    log.child({ listId: 'L1' }).info({ jobId: 'J9', rows: 3 }, 'job completed');
    log.debug('not at info');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '');
    expect(line).toMatchObject({
      level: 30,
      listId: 'L1',
      jobId: 'J9',
      rows: 3,
      msg: 'job completed',
    });
    expect(line.pid).toBe(process.pid);
    expect(typeof line.time).toBe('number');
  });

  it('honours LOG_LEVEL, silent included', () => {
    const debug = capture('debug');
    debug.log.debug('d');
    expect(debug.lines).toHaveLength(1);
    const silent = capture('silent');
    silent.log.fatal('f');
    expect(silent.lines).toHaveLength(0);
  });

  it('never writes a password or an API key', () => {
    const { log, lines } = capture('info');
    log.info(
      { redis: { password: 'hunter2' }, apiKey: 'k-0123456789abcdef', password: 'pw' },
      'connected',
    );
    const text = lines.join('');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('k-0123456789abcdef');
    expect(text).not.toMatch(/"pw"/);
    expect(text).toContain('[redacted]');
  });
});

describe('createLogger, text (clean, verify, demo)', () => {
  it('shows warnings as listclean: lines and hides info chatter at the default level', () => {
    const { log, lines } = capture('info', 'text');
    log.info({ listId: 'L1' }, 'list started');
    log.warn({ listId: 'L1', provider: 'example.net' }, 'provider blocked us');
    log.error({ err: new Error('boom') }, 'job failed');
    expect(lines).toEqual([
      'listclean: warn: provider blocked us (listId=L1, provider=example.net)\n',
      'listclean: error: job failed: boom\n',
    ]);
  });

  it('shows info and debug when LOG_LEVEL asks for them', () => {
    const { log, lines } = capture('debug', 'text');
    log.info({ listId: 'L1' }, 'list started');
    log.debug('detail');
    expect(lines).toEqual(['listclean: list started (listId=L1)\n', 'listclean: detail\n']);
  });
});
