/** Why an SMTP conversation stopped before it was finished, and at which stage. */

export type SmtpStage =
  | 'connect'
  | 'banner'
  | 'ehlo'
  | 'helo'
  | 'starttls'
  | 'mail'
  | 'rcpt'
  | 'rset'
  | 'quit';

export type SmtpFailureKind =
  /** TCP connection refused, reset before the banner, or host unreachable. */
  | 'connect_failed'
  /** Nothing came within the stage's timeout. */
  | 'timeout'
  /** The server closed the connection while we waited for a reply. */
  | 'closed'
  /** Bytes that are not SMTP, a line or reply over the limits, or an out-of-turn reply. */
  | 'protocol'
  /**
   * The egress failed before the server was reached: its SOCKS5 proxy is unreachable, refused
   * our credentials or broke the protocol, or the host lacks the local address. Never about
   * the server or the mailbox: the session goes out through another egress.
   */
  | 'egress';

export class SmtpError extends Error {
  readonly code: string;

  constructor(
    readonly kind: SmtpFailureKind,
    readonly stage: SmtpStage,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmtpError';
    this.code = `smtp_${kind}`;
  }
}
