/**
 * The client settings that suit the sandbox world: its servers answer in milliseconds and its
 * greylisting counts tries, not minutes, so listclean's production waits (30 s timeouts, a first
 * greylisting retry after 5 minutes) would only make a demo sit still. `listclean sandbox`
 * prints these with the world's address; `listclean demo` uses them.
 */
export const SANDBOX_CLIENT_ENV = {
  SMTP_CONNECT_TIMEOUT: '2s',
  SMTP_BANNER_TIMEOUT: '2s',
  SMTP_COMMAND_TIMEOUT: '3s',
  GREYLIST_RETRY_DELAYS: '1s,2s',
} as const;
