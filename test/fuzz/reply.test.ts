/**
 * Fuzzing the SMTP reply parser (issue 13) against a model: replies generated from their parts
 * (code, lines, enhanced code, CRLF or bare LF, bare final codes), sent in arbitrary chunks —
 * split inside CR LF pairs and codes, several pipelined in one chunk — parse back to exactly
 * those parts; the transcript sees every raw line; and no chunking gets a line over the limit
 * past the parser, with or without a line end.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplyParser, ReplyProtocolError, type SmtpReply } from '../../src/smtp/reply.ts';

const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 1000) };
const LIMITS = { maxLineBytes: 512, maxLines: 16 };

interface ModelReply {
  code: number;
  /** The enhanced code written on every line, or null. */
  enhanced: [number, number, number] | null;
  texts: string[];
  /** Line ends, one per line. */
  ends: string[];
  /** The last line written as a bare code (`250`), when its text is empty. */
  bare: boolean;
}

/** Text that never reads as an enhanced code, starts with no blank and has no line break. */
const lineText = fc.stringMatching(/^([A-Za-z,:;!()<>=@][A-Za-z0-9 ,:;!()<>=@.-]{0,40})?$/);

const modelReply: fc.Arbitrary<ModelReply> = fc
  .record({
    code: fc.integer({ min: 200, max: 599 }),
    enhanced: fc.option(
      fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 })),
      {
        nil: null,
      },
    ),
    texts: fc.array(lineText, { minLength: 1, maxLength: 5 }),
    ends: fc.array(fc.constantFrom('\r\n', '\n'), { minLength: 5, maxLength: 5 }),
    bare: fc.boolean(),
  })
  .map(({ code, enhanced, texts, ends, bare }) => {
    const klass = Math.floor(code / 100);
    // RFC 3463 classes are 2, 4 and 5: a 3xx reply never has one.
    const withEnhanced =
      enhanced && klass !== 3 ? ([klass, ...enhanced] as [number, number, number]) : null;
    return {
      code,
      enhanced: withEnhanced,
      texts,
      ends: ends.slice(0, texts.length),
      bare: bare && withEnhanced === null && texts.at(-1) === '',
    };
  });

function wire(reply: ModelReply): string {
  const enhanced = reply.enhanced ? reply.enhanced.join('.') : null;
  return reply.texts
    .map((text, i) => {
      const last = i === reply.texts.length - 1;
      const end = reply.ends[i] ?? '\r\n';
      if (last && reply.bare) return `${reply.code}${end}`;
      const body = enhanced ? (text === '' ? enhanced : `${enhanced} ${text}`) : text;
      return `${reply.code}${last ? ' ' : '-'}${body}${end}`;
    })
    .join('');
}

function expected(reply: ModelReply): SmtpReply {
  const enhanced = reply.enhanced
    ? `${reply.enhanced[0]}.${reply.enhanced[1]}.${reply.enhanced[2]}`
    : null;
  return { code: reply.code, enhanced, lines: reply.texts, text: reply.texts.join(' ').trim() };
}

function split(value: string, cuts: number[]): string[] {
  const points = [
    0,
    ...[...new Set(cuts)].filter((c) => c > 0 && c < value.length).sort((a, b) => a - b),
    value.length,
  ];
  return points.slice(1).map((end, i) => value.slice(points[i], end));
}

describe('ReplyParser, fuzzed', () => {
  it('parses generated replies back to their parts, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(modelReply, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(600), { maxLength: 12 }),
        fc.boolean(),
        (replies, cuts, asBuffers) => {
          const bytes = replies.map(wire).join('');
          const raw: string[] = [];
          const parser = new ReplyParser(LIMITS, (line) => raw.push(line));
          const got = split(bytes, cuts).flatMap((chunk) =>
            parser.push(asBuffers ? Buffer.from(chunk, 'latin1') : chunk),
          );
          expect(got).toEqual(replies.map(expected));
          expect(parser.midReply).toBe(false);
          // The transcript sees each line as sent, line end aside.
          expect(raw).toEqual(
            bytes
              .split('\n')
              .slice(0, -1)
              .map((line) => line.replace(/\r$/, '')),
          );
        },
      ),
      RUNS,
    );
  });

  it('never lets a line over the limit through, with or without a line end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: LIMITS.maxLineBytes + 1, max: LIMITS.maxLineBytes * 3 }),
        fc.boolean(),
        fc.array(fc.nat(1600), { maxLength: 10 }),
        (length, ended, cuts) => {
          const line = `250 ${'x'.repeat(length - 4)}${ended ? '\r\n' : ''}`;
          const parser = new ReplyParser(LIMITS);
          let pushed = 0;
          let threw = false;
          for (const chunk of split(line, cuts)) {
            pushed += chunk.length;
            try {
              expect(parser.push(chunk)).toEqual([]);
            } catch (error) {
              expect(error).toBeInstanceOf(ReplyProtocolError);
              threw = true;
              break;
            }
            // Never more than the limit held without a line end.
            expect(pushed <= LIMITS.maxLineBytes || ended).toBe(true);
          }
          expect(threw).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('hands over the replies sent before garbage, however split, then stays broken', () => {
    /** What a caller gets before the parser reports the broken stream, and whether it did. */
    const deliver = (bytes: string, cuts: number[]) => {
      const parser = new ReplyParser(LIMITS);
      const got: SmtpReply[] = [];
      let error: unknown = null;
      for (const chunk of [...split(bytes, cuts), '250 more\r\n']) {
        try {
          got.push(...parser.push(chunk));
        } catch (thrown) {
          error = thrown;
          break;
        }
      }
      return { got, error, failure: parser.failure };
    };
    fc.assert(
      fc.property(
        modelReply,
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.array(fc.nat(200), { maxLength: 6 }),
        (reply, garbage, cuts) => {
          const bytes = `${wire(reply)}${garbage}\r\n${wire(reply)}`;
          const split = deliver(bytes, cuts);
          const whole = deliver(bytes, []);
          expect(split.got).toEqual(whole.got);
          // The first reply is whole before any garbage is judged.
          expect(split.got[0]).toEqual(expected(reply));
          if (split.error !== null) {
            expect(split.error).toBeInstanceOf(ReplyProtocolError);
            expect(split.failure).toBe(split.error);
          }
        },
      ),
      RUNS,
    );
  });
});
