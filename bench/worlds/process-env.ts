/**
 * The environment every pipeline process of the bench runs with (besides its world's DNS server
 * and SMTP port, its Redis prefix and its storage directory), as data: the report prints the
 * timeouts and retry delays from here.
 */

export interface ProcessEnvParams {
  heloName: string;
  mailFrom: string;
  /** SMTP_CONNECT_TIMEOUT, SMTP_BANNER_TIMEOUT, SMTP_COMMAND_TIMEOUT (duration strings). */
  smtpTimeouts: { connect: string; banner: string; command: string };
  dnsTimeout: string;
  /** GREYLIST_RETRY_DELAYS, one duration per retry. */
  greylistRetryDelays: string[];
  workerLockDuration: string;
  throttleLeaseTtl: string;
  logLevel: string;
}

export const PROCESS_ENV: ProcessEnvParams = {
  heloName: 'bench.listclean.test',
  mailFrom: 'verify@listclean.test',
  smtpTimeouts: { connect: '1s', banner: '2s', command: '2s' },
  dnsTimeout: '1s',
  greylistRetryDelays: ['200ms', '400ms'],
  workerLockDuration: '10s',
  throttleLeaseTtl: '10s',
  logLevel: 'warn',
};

/** The parameters as environment variables. */
export function processEnv(params: ProcessEnvParams): Record<string, string> {
  return {
    HELO_NAME: params.heloName,
    MAIL_FROM: params.mailFrom,
    SMTP_CONNECT_TIMEOUT: params.smtpTimeouts.connect,
    SMTP_BANNER_TIMEOUT: params.smtpTimeouts.banner,
    SMTP_COMMAND_TIMEOUT: params.smtpTimeouts.command,
    DNS_TIMEOUT: params.dnsTimeout,
    GREYLIST_RETRY_DELAYS: params.greylistRetryDelays.join(','),
    WORKER_LOCK_DURATION: params.workerLockDuration,
    THROTTLE_LEASE_TTL: params.throttleLeaseTtl,
    LOG_LEVEL: params.logLevel,
  };
}
