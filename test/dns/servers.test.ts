import { describe, expect, it } from 'vitest';
import { parseDnsServers } from '../../src/dns/servers.ts';
import { ListcleanError } from '../../src/errors.ts';

describe('parseDnsServers', () => {
  it.each([
    ['1.2.3.4', ['1.2.3.4']],
    ['1.2.3.4:5353', ['1.2.3.4:5353']],
    ['[::1]:53', ['[::1]:53']],
    ['[::1]', ['::1']],
    ['::1', ['::1']],
    ['2001:db8::53', ['2001:db8::53']],
    [' 127.0.0.1:5353 , [::1]:5353,10.0.0.53 ', ['127.0.0.1:5353', '[::1]:5353', '10.0.0.53']],
    ['1.2.3.4,', ['1.2.3.4']],
    ['', []],
    ['   ', []],
  ])('%j → %j', (spec, expected) => {
    expect(parseDnsServers(spec)).toEqual(expected);
  });

  it.each([
    ['dns.google', 'dns.google'],
    ['1.2.3.4:0', '1.2.3.4:0'],
    ['1.2.3.4:99999', '1.2.3.4:99999'],
    ['1.2.3.4:', '1.2.3.4:'],
    ['1.2.3.4:53x', '1.2.3.4:53x'],
    ['1.2.3', '1.2.3'],
    ['127.1', '127.1'],
    ['[1.2.3.4]:53', '[1.2.3.4]:53'],
    ['[::1]:', '[::1]:'],
    ['::1:53:x', '::1:53:x'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['8.8.8.8, bogus', 'bogus'],
    [',', ','],
  ])('rejects %j, naming %j', (spec, named) => {
    let thrown: unknown;
    try {
      parseDnsServers(spec);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ListcleanError);
    expect((thrown as ListcleanError).code).toBe('config_invalid');
    expect((thrown as ListcleanError).message).toContain(`"${named}"`);
  });
});
