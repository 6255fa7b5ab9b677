import { describe, expect, it } from 'vitest';
import { providerKey } from '../../src/dns/provider.ts';

describe('providerKey', () => {
  it.each([
    ['aspmx.l.google.com', 'google.com'],
    ['alt4.aspmx.l.google.com', 'google.com'],
    ['ALT1.ASPMX.L.GOOGLE.COM.', 'google.com'],
    ['mx1.mail.protection.outlook.com', 'outlook.com'],
    ['example-com.mail.protection.outlook.com', 'outlook.com'],
    ['mx.example.co.uk', 'example.co.uk'],
    ['mta7.am0.yahoodns.net', 'yahoodns.net'],
    // Private PSL suffixes would split one company's hosts into many providers.
    ['inbound-smtp.us-east-1.amazonaws.com', 'amazonaws.com'],
    ['mx1.acme.test', 'acme.test'],
    ['mx.corp.internal', 'corp.internal'],
    ['a.b.mx.lab.internal', 'lab.internal'],
    ['localhost', 'localhost'],
    ['co.uk', 'co.uk'],
    ['192.0.2.25', '192.0.2.25'],
    ['[2001:db8::25]', '2001:db8::25'],
  ])('%s → %s', (host, expected) => {
    expect(providerKey(host)).toBe(expected);
  });
});
