/**
 * One logger for every process (pino, LOG_LEVEL). Services — `listclean worker`, `serve` —
 * write JSON lines to stderr for a log pipeline, with the list and job ids as fields. Commands a
 * person runs (`clean`, `verify`, `demo`) keep their stderr readable: the same events as plain
 * `listclean: …` lines, warnings and worse only unless LOG_LEVEL asks for more.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';

export type Logger = pino.Logger;

export type LogFormat = 'json' | 'text';

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Secrets that must never reach a log line, wherever they appear in a logged object. */
const REDACT = [
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

/** `listclean: <msg> (list=…, job=…)` for people; errors with their message. */
function textStream(write: (line: string) => void): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      for (const raw of String(chunk).split('\n')) {
        if (raw.trim() === '') continue;
        try {
          const { msg, level, time: _t, pid: _p, hostname: _h, err, ...rest } = JSON.parse(raw);
          const fields = Object.entries(rest)
            .filter(([, v]) => v !== undefined && typeof v !== 'object')
            .map(([k, v]) => `${k}=${v}`);
          const error = err?.message ? `: ${err.message}` : '';
          const tag = level >= 40 ? `${LEVEL_NAMES[level]}: ` : '';
          write(
            `listclean: ${tag}${msg ?? ''}${error}${fields.length ? ` (${fields.join(', ')})` : ''}\n`,
          );
        } catch {
          write(`${raw}\n`);
        }
      }
      done();
    },
  });
}

export interface LoggerOptions {
  level: string;
  format?: LogFormat;
  /** Where lines go (default stderr); tests pass their own. */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const destination =
    options.format === 'text'
      ? textStream(write)
      : new Writable({
          write(chunk, _encoding, done) {
            write(String(chunk));
            done();
          },
        });
  const format = options.format ?? 'json';
  // A person at a terminal wants warnings, not the service's info chatter, unless they ask.
  const level = format === 'text' && options.level === 'info' ? 'warn' : options.level;
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination,
  );
}
