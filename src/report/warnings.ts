/**
 * Warnings an operator must see beside a list's figures (summary.json, report.html, the CLI):
 * today one kind, a provider that refused us and whose addresses were therefore not verified.
 */

export interface ProviderBlockWarning {
  code: 'provider_blocked';
  /** The MX provider key (`google.com`, `outlook.com`, or a company's own MX domain). */
  provider: string;
  /** The reply that opened the provider's breaker, as the server gave it. */
  reply: string;
  /** The rule that read it as a refusal of our client or sender. */
  rule: string;
  /** When probing the provider was paused, and until when. */
  since: string;
  until: string;
  /** Addresses of this list reported `unknown / blocked` by that provider or its breaker. */
  addresses: number;
  message: string;
}

export function providerBlockWarning(
  fields: Omit<ProviderBlockWarning, 'code' | 'message'>,
): ProviderBlockWarning {
  return {
    code: 'provider_blocked',
    ...fields,
    message:
      `${fields.provider} refused us ("${fields.reply}"), so probing it was paused until ` +
      `${fields.until} and ${fields.addresses} address(es) are unknown/blocked: check the ` +
      'sending IP’s blocklist entries and reverse DNS, and the MAIL FROM domain’s SPF, then ' +
      're-run the list.',
  };
}
