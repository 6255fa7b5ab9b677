import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { describeEgress, egressesOf, parseProxy } from '../../src/egress/config.ts';

describe('SMTP_PROXIES', () => {
  it('reads named and unnamed SOCKS5 proxies, with credentials', () => {
    const config = readEnv({
      SMTP_PROXIES: 'eu1=socks5://probe:s%40cret@127.0.0.1:1080, socks5://[::1]:1081',
    });
    expect(config.SMTP_PROXIES).toEqual([
      {
        name: 'eu1',
        proxy: { host: '127.0.0.1', port: 1080, username: 'probe', password: 's@cret' },
      },
      { name: '[::1]:1081', proxy: { host: '::1', port: 1081 } },
    ]);
    expect(readEnv({}).SMTP_PROXIES).toEqual([]);
  });

  it('refuses what is not a SOCKS5 URL, and names twice', () => {
    for (const bad of [
      'http://127.0.0.1:8080',
      'socks5://127.0.0.1',
      'socks5://127.0.0.1:0',
      'socks5://127.0.0.1:1080/path',
      'bad name=socks5://127.0.0.1:1080',
      'a=socks5://127.0.0.1:1080,a=socks5://127.0.0.1:1081',
    ]) {
      expect(() => readEnv({ SMTP_PROXIES: bad }), bad).toThrow(/SMTP_PROXIES/);
    }
  });

  it('never prints a proxy password or an API key in a configuration error', () => {
    fc.assert(
      // Each password holds a `~`, which the message has nowhere else: a short one like `port`
      // could otherwise be found in the message's own words.
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9!$%&*+;]{0,10}~[A-Za-z0-9!$%&*+;~]{3,9}$/),
        (password) => {
          const attempt = () =>
            readEnv({ SMTP_PROXIES: `eu1=socks5://u:${password}@127.0.0.1:99999` });
          expect(attempt).toThrow(/SMTP_PROXIES: got "eu1=socks5:\/\/u:\*\*\*@127\.0\.0\.1:99999"/);
          try {
            attempt();
          } catch (error) {
            expect((error as Error).message).not.toContain(password);
          }
        },
      ),
    );
    expect(() => readEnv({ API_KEYS: 'acme:short' })).toThrow(
      /API_KEYS: got a value of 10 characters/,
    );
  });
});

describe('egressesOf', () => {
  it('lists local addresses, then proxies; the default route when there is neither', () => {
    const proxy = parseProxy('eu1=socks5://127.0.0.1:1080');
    expect(proxy).not.toBeNull();
    const all = egressesOf({
      SMTP_LOCAL_ADDRESSES: ['127.0.0.7'],
      SMTP_PROXIES: proxy ? [proxy] : [],
    });
    expect(all.map((e) => [e.kind, e.name])).toEqual([
      ['local', '127.0.0.7'],
      ['socks5', 'eu1'],
    ]);
    expect(all.map(describeEgress)).toEqual([
      '127.0.0.7 (local address)',
      'eu1 (socks5 127.0.0.1:1080)',
    ]);
    expect(egressesOf({ SMTP_LOCAL_ADDRESSES: [], SMTP_PROXIES: [] })).toEqual([
      { kind: 'default', name: 'default' },
    ]);
  });
});
