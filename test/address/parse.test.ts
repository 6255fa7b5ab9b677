import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ADDRESS_ERROR_CODES,
  type AddressErrorCode,
  parseAddress,
} from '../../src/address/index.ts';

function accepted(input: string) {
  const result = parseAddress(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to parse: ${result.message}`);
  return result;
}

function rejectedWith(input: string, code: AddressErrorCode): string {
  const result = parseAddress(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected (${code})`);
  expect(result.code).toBe(code);
  expect(ADDRESS_ERROR_CODES).toContain(result.code);
  expect(result.message.length).toBeGreaterThan(10);
  return result.message;
}

describe('parseAddress: accepted addresses', () => {
  it.each([
    ['john@example.com', 'john', 'example.com', 'john@example.com'],
    ['john.doe@example.com', 'john.doe', 'example.com', 'john.doe@example.com'],
    [
      'john+newsletter@example.com',
      'john+newsletter',
      'example.com',
      'john+newsletter@example.com',
    ],
    ['John.Doe@EXAMPLE.COM', 'john.doe', 'example.com', 'john.doe@example.com'],
    ["o'brien@example.ie", "o'brien", 'example.ie', "o'brien@example.ie"],
    ['a!#$%&*/=?^_`{|}~-@example.com', 'a!#$%&*/=?^_`{|}~-', 'example.com', null],
    ['user@mail.sub.example.co.uk', 'user', 'mail.sub.example.co.uk', null],
    ['user@my-company.com', 'user', 'my-company.com', null],
    ['user@123.example.com', 'user', '123.example.com', null],
  ])('%s', (input, local, domain, normalized) => {
    const result = accepted(input);
    expect(result.local).toBe(local);
    expect(result.domain).toBe(domain);
    expect(result.domainUnicode).toBe(domain);
    expect(result.normalized).toBe(normalized ?? `${local}@${domain}`);
  });

  it('trims surrounding spaces and tabs only', () => {
    expect(accepted('  john@example.com\t ').normalized).toBe('john@example.com');
    expect(accepted('\tjohn@example.com').normalized).toBe('john@example.com');
  });

  it('drops the trailing dot of a fully qualified domain', () => {
    expect(accepted('john@example.com.').domain).toBe('example.com');
    rejectedWith('john@example.com..', 'invalid_domain');
  });

  it('keeps a quoted local part that needs its quotes, lower-cased', () => {
    const result = accepted('"John Doe"@example.com');
    expect(result.local).toBe('"john doe"');
    expect(result.normalized).toBe('"john doe"@example.com');
  });

  it('unquotes a quoted local part that does not need quoting', () => {
    expect(accepted('"john"@example.com').normalized).toBe('john@example.com');
    expect(accepted('"John.Smith"@example.com').normalized).toBe('john.smith@example.com');
    // A quoted-pair of an ordinary character is just that character.
    expect(accepted('"j\\ohn"@example.com').normalized).toBe('john@example.com');
  });

  it('keeps minimal escaping in quoted local parts', () => {
    expect(accepted('"a\\"b"@example.com').normalized).toBe('"a\\"b"@example.com');
    expect(accepted('"a\\\\b"@example.com').normalized).toBe('"a\\\\b"@example.com');
    expect(accepted('"a@b"@example.com').normalized).toBe('"a@b"@example.com');
    expect(accepted('"a..b"@example.com').normalized).toBe('"a..b"@example.com');
    expect(accepted('".a"@example.com').normalized).toBe('".a"@example.com');
    expect(accepted('"a,b"@example.com').normalized).toBe('"a,b"@example.com');
  });

  it('converts IDN domains to punycode and keeps the display form', () => {
    const result = accepted('user@bücher.de');
    expect(result.domain).toBe('xn--bcher-kva.de');
    expect(result.domainUnicode).toBe('bücher.de');
    expect(result.normalized).toBe('user@xn--bcher-kva.de');
    expect(accepted('user@BÜCHER.DE').domain).toBe('xn--bcher-kva.de');
    expect(accepted('user@xn--bcher-kva.de').domainUnicode).toBe('bücher.de');
    // UTS #46 non-transitional: ß is kept, not turned into ss.
    expect(accepted('user@faß.de').domain).toBe('xn--fa-hia.de');
    expect(accepted('user@例え.jp').domainUnicode).toBe('例え.jp');
  });

  it('accepts UTF-8 local parts (RFC 6531), lower-cased and NFC', () => {
    expect(accepted('JÖRG@example.de').local).toBe('jörg');
    expect(accepted('用户@例子.广告').local).toBe('用户');
    // "e" + combining acute is the same mailbox as the precomposed "é".
    expect(accepted('rene\u0301@example.fr').normalized).toBe('ren\u00e9@example.fr');
  });

  it('accepts a 64-octet local part and rejects 65', () => {
    expect(accepted(`${'a'.repeat(64)}@example.com`).local).toHaveLength(64);
    rejectedWith(`${'a'.repeat(65)}@example.com`, 'local_too_long');
    // Octets, not characters: ü is two bytes in UTF-8.
    accepted(`${'ü'.repeat(32)}@example.com`);
    rejectedWith(`${'ü'.repeat(32)}a@example.com`, 'local_too_long');
    // The limit applies to the normalised form, quotes included.
    rejectedWith(`"${'a'.repeat(62)} "@example.com`, 'local_too_long');
  });

  it('accepts a 254-octet address and rejects 255', () => {
    const domain = (last: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(last)}.com`;
    const ok = `${'l'.repeat(64)}@${domain(57)}`;
    expect(ok).toHaveLength(254);
    expect(accepted(ok).normalized).toBe(ok);
    const tooLong = `${'l'.repeat(64)}@${domain(58)}`;
    expect(tooLong).toHaveLength(255);
    rejectedWith(tooLong, 'address_too_long');
  });

  it('counts the address length with the punycode domain', () => {
    // Distinct CJK characters: each costs several punycode letters.
    const label = (start: number) =>
      Array.from({ length: 15 }, (_, i) => String.fromCodePoint(start + i * 97)).join('');
    const unicodeDomain = `${[0x4e00, 0x5000, 0x5e00, 0x6000, 0x6e00].map(label).join('.')}.jp`;
    const input = `${'l'.repeat(64)}@${unicodeDomain}`;
    expect(input.length).toBeLessThanOrEqual(254);
    expect(64 + 1 + domainToASCII(unicodeDomain).length).toBeGreaterThan(254);
    expect(rejectedWith(input, 'address_too_long')).toContain('punycode');
  });

  it('accepts a 63-character domain label and rejects 64', () => {
    accepted(`a@${'x'.repeat(63)}.com`);
    rejectedWith(`a@${'x'.repeat(64)}.com`, 'invalid_domain');
  });
});

describe('parseAddress: rejected addresses', () => {
  it.each<[string, AddressErrorCode]>([
    ['', 'empty'],
    ['   ', 'empty'],
    ['\t', 'empty'],
    ['@', 'empty_local'],
    ['@example.com', 'empty_local'],
    ['""@example.com', 'empty_local'],
    ['john@', 'empty_domain'],
    ['john', 'missing_at'],
    ['john.example.com', 'missing_at'],
    ['"john"', 'missing_at'],
    ['a@b@c.com', 'multiple_at'],
    ['a@b.com@c.com', 'multiple_at'],
    ['a..b@x.com', 'invalid_local'],
    ['.a@x.com', 'invalid_local'],
    ['a.@x.com', 'invalid_local'],
    ['a(b)@x.com', 'invalid_local'],
    ['a,b@x.com', 'invalid_local'],
    ['a;b@x.com', 'invalid_local'],
    ['a:b@x.com', 'invalid_local'],
    ['<a@x.com>', 'invalid_local'],
    ['a[b]@x.com', 'invalid_local'],
    ['a\\b@x.com', 'invalid_local'],
    ['a"b"@x.com', 'invalid_local'],
    // U+037E GREEK QUESTION MARK is NFC-equivalent to ";".
    ['a\u037eb@x.com', 'invalid_local'],
    ['"a"b@x.com', 'invalid_quoted'],
    ['"a"."b"@x.com', 'invalid_quoted'],
    ['"unterminated@x.com', 'invalid_quoted'],
    ['"a\\"@x.com', 'invalid_quoted'],
    ['"a\\é"@x.com', 'invalid_quoted'],
    ['a b@x.com', 'whitespace'],
    ['a @x.com', 'whitespace'],
    ['a@ x.com', 'whitespace'],
    ['a@x .com', 'whitespace'],
    ['a\u00a0b@x.com', 'whitespace'],
    ['"a\u00a0b"@x.com', 'whitespace'],
    ['a@x.com\u2028', 'whitespace'],
    ['a\u3000@x.com', 'whitespace'],
    ['a@-x.com', 'invalid_domain'],
    ['a@x-.com', 'invalid_domain'],
    ['a@x', 'invalid_domain'],
    ['a@localhost', 'invalid_domain'],
    ['a@x.123', 'invalid_domain'],
    ['a@127.0.0.1', 'invalid_domain'],
    ['a@.x.com', 'invalid_domain'],
    ['a@x..com', 'invalid_domain'],
    ['a@.', 'invalid_domain'],
    ['a@x_y.com', 'invalid_domain'],
    ['a@x.com/path', 'invalid_domain'],
    ['a@x.com:25', 'invalid_domain'],
    // The WHATWG host parser would decode %61 and read 0x7f.0.0.1 as 127.0.0.1: never reached.
    ['a@ex%61mple.com', 'invalid_domain'],
    ['a@xn--zz.com', 'invalid_domain'],
    ['a@１２７.０.０.１', 'invalid_domain'],
    ['a@[127.0.0.1]', 'domain_literal'],
    ['a@[IPv6:::1]', 'domain_literal'],
  ])('%j → %s', (input, code) => {
    rejectedWith(input, code);
  });

  it.each([
    ['"a\r\nb"@x.com', 'carriage return'],
    ['a@x.com\r\nRCPT TO:<b@y.com>', 'carriage return'],
    ['a@x.com\nRCPT TO:<b@y.com>', 'line feed'],
    ['a\u0000b@x.com', 'NUL'],
    ['a@x.com\u0000', 'NUL'],
    ['a\tb@x.com', 'tab'],
    ['"a\tb"@x.com', 'tab'],
    ['"a\\\tb"@x.com', 'tab'],
    ['a\u007fb@x.com', 'DEL'],
    ['a\u0085b@x.com', 'next line'],
    ['a\u001bb@x.com', 'escape'],
    ['a@x.com\u000b', 'vertical tab'],
  ])('%j is refused as a control character', (input, name) => {
    expect(rejectedWith(input, 'control_character')).toContain(name);
  });

  it.each(['a\u200b@x.com', 'a@x\u200d.com', '\ufeffa@x.com', 'a\u00adb@x.com', 'a\u202eb@x.com'])(
    '%j is refused for an invisible character',
    (input) => {
      rejectedWith(input, 'invisible_character');
    },
  );

  it('refuses broken encodings', () => {
    rejectedWith('a\ud800@x.com', 'invalid_encoding');
    rejectedWith('a@x.com\udfff', 'invalid_encoding');
    expect(rejectedWith('J\ufffdrg@x.de', 'invalid_encoding')).toContain('UTF-8');
  });

  it('refuses absurdly long input early', () => {
    rejectedWith(`${'a'.repeat(100_000)}@x.com`, 'address_too_long');
    rejectedWith(`a@${'x.'.repeat(200)}com`, 'invalid_domain');
  });

  it('explains address literals', () => {
    expect(rejectedWith('user@[1.2.3.4]', 'domain_literal')).toContain('MX');
  });

  it('never throws for non-string input from untyped callers', () => {
    for (const value of [undefined, null, 42, {}, []]) {
      const result = parseAddress(value as unknown as string);
      expect(result.ok).toBe(false);
    }
  });
});
