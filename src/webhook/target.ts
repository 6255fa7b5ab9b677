/**
 * Whether a webhook URL may be called (at upload and again before every delivery). A tenant
 * chooses the URL, so it is an SSRF vector: only http(s), no credentials, only public addresses
 * (or those WEBHOOK_ALLOW_PRIVATE opens), and no well-known port other than 80/443.
 */
import net from 'node:net';
import { type MxAllowance, mayConnect } from '../dns/mx-allowance.ts';
import { resolveHost } from './resolve.ts';

export type ResolveHost = (host: string) => Promise<string[]>;

export type TargetCheck =
  | { ok: true; url: URL; addresses: string[] }
  | {
      ok: false;
      reason: string;
      /** True when asking again later may succeed (DNS trouble), false for a policy refusal. */
      retryable: boolean;
    };

/** Long enough for any real receiver, short enough to store and log without thought. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Checks the URL and resolves its host; every address must pass `mayConnect`, since whichever
 * one the client picked would otherwise be the hole. `addresses` are what the delivery must
 * connect to (it never resolves the name again: that is where DNS rebinding would strike).
 */
export async function checkWebhookTarget(
  raw: string,
  allowance: MxAllowance,
  resolve: ResolveHost = resolveHost,
): Promise<TargetCheck> {
  const url = parseTarget(raw);
  if (typeof url === 'string') return refuse(url);
  const host = bareHost(url.hostname);
  let addresses: string[];
  if (net.isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      return {
        ok: false,
        reason: `the webhook host ${host} could not be resolved (${(error as Error).message})`,
        retryable: true,
      };
    }
    if (addresses.length === 0) {
      return refuse(`the webhook host ${host} has no A or AAAA record`);
    }
  }
  const barred = addresses.find((ip) => !mayConnect(ip, allowance));
  if (barred !== undefined) {
    return refuse(
      `the webhook host ${host} resolves to ${barred}, which is not a public address ` +
        '(WEBHOOK_ALLOW_PRIVATE allows non-public targets)',
    );
  }
  return { ok: true, url, addresses };
}

/** The URL, or why it is refused before any DNS is asked. */
function parseTarget(raw: string): URL | string {
  if (typeof raw !== 'string' || raw.length > MAX_WEBHOOK_URL_LENGTH) {
    return `the webhook URL must be a string of at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the webhook URL is not a valid absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `the webhook URL must be http or https, not ${url.protocol.replace(/:$/, '')}`;
  }
  // Credentials would be sent (and logged) with every delivery; the signature authenticates us.
  if (url.username !== '' || url.password !== '') {
    return 'the webhook URL must not contain a user name or password';
  }
  if (url.hostname === '') return 'the webhook URL has no host';
  // `URL` leaves the port empty when it is the scheme's default.
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (port < 1024 && port !== 80 && port !== 443) {
    // Well-known ports (25, 22, 110, …) are other protocols' homes: a POST there is a
    // cross-protocol attack in the making, and no one runs a webhook receiver on them.
    return `the webhook URL port must be 80, 443 or from 1024 up, not ${port}`;
  }
  return url;
}

/** `URL#hostname` keeps IPv6 literals in brackets. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function refuse(reason: string): TargetCheck {
  return { ok: false, reason, retryable: false };
}
