import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplyParser, ReplyProtocolError } from '../../src/smtp/reply.ts';

describe('ReplyParser', () => {
  it('parses a single-line reply with an enhanced code', () => {
    const [reply] = new ReplyParser().push('550 5.1.1 <a@b.c>: User unknown\r\n');
    expect(reply).toEqual({
      code: 550,
      enhanced: '5.1.1',
      lines: ['<a@b.c>: User unknown'],
      text: '<a@b.c>: User unknown',
    });
  });

  it('parses multi-line replies, split across chunks, with enhanced codes on every line', () => {
    const parser = new ReplyParser();
    expect(parser.push('250-mx.example Hello\r\n250-PIPE')).toEqual([]);
    expect(parser.midReply).toBe(true);
    const replies = parser.push('LINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.lines).toEqual(['mx.example Hello', 'PIPELINING', 'SIZE 1000', '8BITMIME']);
    const [microsoft] = new ReplyParser().push(
      '550-5.4.1 Recipient address rejected: Access denied.\r\n550 5.4.1 AS(201806281) [x]\r\n',
    );
    expect(microsoft?.enhanced).toBe('5.4.1');
    expect(microsoft?.text).toBe('Recipient address rejected: Access denied. AS(201806281) [x]');
    expect(parser.midReply).toBe(false);
  });

  it('returns several replies from one chunk (pipelining) and accepts bare LF and bare codes', () => {
    const replies = new ReplyParser().push('250 2.1.5 Ok\n550 5.1.1 no\r\n250\r\n');
    expect(replies.map((r) => r.code)).toEqual([250, 550, 250]);
    expect(replies[2]?.text).toBe('');
  });

  it('ignores an enhanced code whose class differs from the reply code', () => {
    const [reply] = new ReplyParser().push('250 5.1.1 odd\r\n');
    expect(reply?.enhanced).toBeNull();
    expect(reply?.text).toBe('5.1.1 odd');
  });

  it('normalises leading zeros of enhanced codes', () => {
    const [reply] = new ReplyParser().push('550 5.01.001 x\r\n');
    expect(reply?.enhanced).toBe('5.1.1');
  });

  it.each([
    ['garbage', 'HELLO THERE\r\n'],
    ['a 1xx code', '199 what\r\n'],
    ['a code change mid-reply', '250-a\r\n550 b\r\n'],
    ['binary', '\x00\x01\x02\r\n'],
  ])('rejects %s', (_name, input) => {
    expect(() => new ReplyParser().push(input)).toThrow(ReplyProtocolError);
  });

  it('bounds line length even without a line end (1 MB line)', () => {
    const parser = new ReplyParser({ maxLineBytes: 4096, maxLines: 10 });
    expect(() => parser.push(`250 ${'x'.repeat(1024 * 1024)}`)).toThrow(/longer than 4096/);
  });

  it('bounds the number of lines in a reply', () => {
    const parser = new ReplyParser({ maxLineBytes: 4096, maxLines: 10 });
    expect(() => parser.push('250-x\r\n'.repeat(11))).toThrow(/more than 10 lines/);
  });

  it('never throws anything but ReplyProtocolError, whatever the bytes and chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const parser = new ReplyParser({ maxLineBytes: 512, maxLines: 20 });
        try {
          for (const chunk of chunks) parser.push(Buffer.from(chunk));
        } catch (error) {
          expect(error).toBeInstanceOf(ReplyProtocolError);
        }
      }),
    );
  });

  it('parses the same replies however the bytes are split', () => {
    const wire = '220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 SIZE\r\n550 5.1.1 unknown\r\n';
    const whole = new ReplyParser().push(wire);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 8 }),
        (cuts) => {
          const parser = new ReplyParser();
          const points = [0, ...[...cuts].sort((a, b) => a - b), wire.length];
          const replies = points
            .slice(1)
            .flatMap((end, i) => parser.push(wire.slice(points[i], end)));
          expect(replies).toEqual(whole);
        },
      ),
    );
  });
});
