/**
 * Every reply a sandbox host can give, in one place, worded like the real servers they model
 * (Postfix, postgrey, Spamhaus-listing MTAs, Gmail's rate limiter), so a reader sees at a glance
 * what listclean must classify.
 */

export const reply = {
  banner: (host: string) => `220 ${host} ESMTP Postfix`,
  ehlo: (host: string, pipelining: boolean, starttls = false) => [
    host,
    ...(pipelining ? ['PIPELINING'] : []),
    'SIZE 10240000',
    ...(starttls ? ['STARTTLS'] : []),
    'ENHANCEDSTATUSCODES',
    '8BITMIME',
    'SMTPUTF8',
  ],
  helo: (host: string) => `250 ${host}`,
  ok: '250 2.0.0 Ok',
  mailOk: '250 2.1.0 Ok',
  rcptOk: '250 2.1.5 Ok',
  bye: '221 2.0.0 Bye',
  readyToStartTls: '220 2.0.0 Ready to start TLS',

  badSyntax: '500 5.5.2 Error: bad syntax',
  lineTooLong: '500 5.5.2 Error: line too long',
  notRecognized: '502 5.5.2 Error: command not recognized',
  notImplemented: '502 5.5.1 Error: command not implemented',
  vrfyDisabled: '502 5.5.1 VRFY command is disabled',
  greetingSyntax: (verb: string) => `501 5.5.4 Syntax: ${verb} hostname`,
  mailSyntax: '501 5.5.4 Syntax: MAIL FROM:<address>',
  rcptSyntax: '501 5.5.4 Syntax: RCPT TO:<address>',
  greetFirst: '503 5.5.1 Error: send HELO/EHLO first',
  nestedMail: '503 5.5.1 Error: nested MAIL command',
  needMail: '503 5.5.1 Error: need MAIL command',
  needRcpt: '503 5.5.1 Error: need RCPT command',
  badSequence: '503 5.5.1 Error: bad sequence of commands',
  starttlsSyntax: '501 5.5.4 Syntax: STARTTLS',
  tlsAlreadyActive: '503 5.5.1 Error: TLS already active',
  tlsUnavailable: '454 4.7.0 TLS not available due to local problem',
  noValidRecipients: '554 5.5.1 Error: no valid recipients',
  noData: '554 5.7.0 Error: this sandbox never accepts message content',
  tooManyRecipients: '452 4.5.3 Error: too many recipients',
  /** Postfix's `reject_unauth_pipelining` wording. */
  improperPipelining: '503 5.5.0 Error: improper use of SMTP command pipelining',

  notQualified: (address: string) =>
    `504 5.5.2 <${address}>: Recipient address rejected: need fully-qualified address`,
  relayDenied: (address: string) => `554 5.7.1 <${address}>: Relay access denied`,
  policyBlock: '550 5.7.1 Recipient rejected by policy',
  greylisted: (address: string, domain: string) =>
    `450 4.2.0 <${address}>: Recipient address rejected: Greylisted, ` +
    `see http://postgrey.schweikert.ch/help/${domain}.html`,
  mailboxFull: '452 4.2.2 Mailbox full',
  mailboxDisabled: '550 5.2.1 Mailbox disabled, not accepting messages',
  userUnknown: (address: string) =>
    `550 5.1.1 <${address}>: Recipient address rejected: ` +
    'User unknown in virtual mailbox table',

  senderBlocked: (clientIp: string) =>
    `550 5.7.1 Service unavailable; client [${clientIp}] blocked using zen.spamhaus.org`,
  bannerBlocked: (clientIp: string) =>
    `554 5.7.1 Service unavailable; client [${clientIp}] blocked using zen.spamhaus.org`,
  bannerTryLater: (host: string) =>
    `421 4.7.0 ${host} Service temporarily unavailable; try again later`,
  tooManyConnections: '421 4.7.0 Too many concurrent SMTP connections; try again later',
  rateLimited: (clientIp: string) =>
    `421 4.7.28 [${clientIp}] Our system has detected an unusual rate of unsolicited mail ` +
    'originating from your IP address; it has been temporarily rate limited',
  tooManyErrors: (host: string) => `421 4.7.0 ${host} Error: too many errors`,

  /** What an SSH daemon says first: a classic wrong-service MX. */
  garbageBanner: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n',
  /** Binary junk: a garbage host's answer to every line, a broken TLS host's to the ClientHello. */
  garbage: Buffer.from([0x00, 0x00, 0x01, 0x0c, 0x0a, 0x14, 0xfe, 0xff, 0x7f, 0x0d, 0x0a]),
} as const;

/** `250-a`, `250-b`, `250 c`: RFC 5321 §4.2.1 multi-line form, CRLF-terminated. */
export function formatReply(code: string, lines: readonly string[]): string {
  return lines
    .map((line, index) => `${code}${index === lines.length - 1 ? ' ' : '-'}${line}\r\n`)
    .join('');
}
