import { describe, expect, it } from 'vitest';
import { addressFlags, parseAddress } from '../../src/address/index.ts';

/** Flags for a full address, parsed the way the pipeline does. */
function flagsOf(address: string) {
  const parsed = parseAddress(address);
  if (!parsed.ok) throw new Error(`${address}: ${parsed.message}`);
  return addressFlags(parsed.local, parsed.domain);
}

describe('addressFlags: free and disposable', () => {
  it.each([
    'gmail.com',
    'googlemail.com',
    'yahoo.com',
    'outlook.com',
    'hotmail.com',
    'gmx.de',
    'web.de',
    'ymail.com',
    'mail.com',
  ])('%s is free and not disposable', (domain) => {
    expect(addressFlags('john', domain)).toMatchObject({ free: true, disposable: false });
  });

  it.each(['mailinator.com', 'guerrillamail.com', '10minutemail.com', 'yopmail.com'])(
    '%s is disposable and not free',
    (domain) => {
      expect(addressFlags('john', domain)).toMatchObject({ free: false, disposable: true });
    },
  );

  it('treats any subdomain of a wildcard disposable service as disposable', () => {
    expect(addressFlags('john', '33mail.com').disposable).toBe(true);
    expect(addressFlags('john', 'someone.33mail.com').disposable).toBe(true);
    expect(addressFlags('john', 'not33mail.com').disposable).toBe(false);
  });

  it('reports company domains as neither', () => {
    expect(addressFlags('john', 'acme-corp.com')).toEqual({
      role: false,
      free: false,
      disposable: false,
      suggestion: null,
    });
  });

  it('does not call typo-catcher domains from the provider list free', () => {
    // email-providers lists gmial.com and yaho.com: mail goes there, but to a typo catcher.
    expect(addressFlags('john', 'gmial.com').free).toBe(false);
    expect(addressFlags('john', 'yaho.com').free).toBe(false);
  });
});

describe('addressFlags: role', () => {
  it.each([
    'info@acme.com',
    'INFO@acme.com',
    'info+x@acme.com',
    'admin@acme.com',
    'support@acme.com',
    'no-reply@acme.com',
    'noreply@acme.com',
    'postmaster@acme.com',
    'sales+eu@acme.com',
    '"info"@acme.com',
  ])('%s is a role account', (address) => {
    expect(flagsOf(address).role).toBe(true);
  });

  it.each(['john@acme.com', 'information@acme.com', 'infos@acme.com', 'x+info@acme.com'])(
    '%s is a person',
    (address) => {
      expect(flagsOf(address).role).toBe(false);
    },
  );
});

describe('addressFlags: suggestion', () => {
  it.each([
    ['john@gmial.com', 'john@gmail.com'],
    ['john@gamil.com', 'john@gmail.com'],
    // disposable-domains dropped gmai.com (the old list called it disposable): a typo catcher.
    ['john@gmai.com', 'john@gmail.com'],
    ['john@gnail.com', 'john@gmail.com'],
    ['john@gmail.co', 'john@gmail.com'],
    ['john@gmail.cm', 'john@gmail.com'],
    ['john@hotmial.com', 'john@hotmail.com'],
    ['john@hotmail.om', 'john@hotmail.com'],
    ['john@yaho.com', 'john@yahoo.com'],
    ['john@yahooo.fr', 'john@yahoo.fr'],
    ['john@outlok.com', 'john@outlook.com'],
    ['john@iclod.com', 'john@icloud.com'],
    ['john@hotmai.co.uk', 'john@hotmail.co.uk'],
    ['John.Doe+tag@GMIAL.com', 'john.doe+tag@gmail.com'],
    ['"john doe"@gmial.com', '"john doe"@gmail.com'],
  ])('%s → %s', (address, suggestion) => {
    expect(flagsOf(address).suggestion).toBe(suggestion);
  });

  it('changes only the domain part', () => {
    expect(addressFlags('J.Doe+x', 'gmial.com').suggestion).toBe('J.Doe+x@gmail.com');
  });

  it.each([
    // Real providers and throwaway services are never "corrected".
    'gmail.com',
    'ymail.com',
    'email.com',
    'mail.com',
    'gmx.de',
    'yahoo.co.uk',
    'mailinator.com',
    // Reserved, private and unknown TLDs are deliberate.
    'gmial.test',
    'acme.internal',
    'mail.acme.test',
    'gmail.example',
    'gmail.invalid',
    'gmail.localhost',
    'gmial.local',
    'gmail.lan',
    'hotmial.corp',
    'gmial.home',
    'gmial.home.arpa',
    'gmail.con',
    // Company domains that are not one slip from a big provider.
    'acme-corp.com',
    'acme.com',
    'stripe.com',
    'atlassian.com',
    // Short real domains one or two slips from short providers (me.com, aim.com, aol.com, …).
    'ibm.com',
    'att.com',
    'ge.com',
    'aon.com',
    'bt.com',
    'cox.com',
    'web.com',
    'give.org',
    'bail.de',
    // Swaps between two real country domains are guesses.
    'outlook.pt',
    'hotmail.com.ar',
    'yahoo.com.ru',
  ])('no suggestion for %s', (domain) => {
    expect(addressFlags('john', domain).suggestion).toBeNull();
  });
});
