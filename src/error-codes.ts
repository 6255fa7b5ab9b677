/**
 * Every error code listclean gives a user, with the HTTP status the API answers it with (null:
 * never an API answer) and what it means. The API, the CLI (`… [code]` at the end of its
 * one-line errors) and the README's table share this list; `ListcleanError` accepts no other
 * code, so a new one cannot ship undocumented. Codes are stable: scripts key on them.
 */

interface CodeInfo {
  /** The API's status for it; null when only the CLI or a worker ever reports it. */
  http: number | null;
  meaning: string;
}

export const ERROR_CODES = {
  // Configuration and usage
  config_invalid: {
    http: null,
    meaning:
      'an environment variable has a value listclean cannot use; the message names it and what it wants',
  },
  usage: { http: null, meaning: 'a command-line flag has a value the command cannot use' },
  policy_invalid: {
    http: null,
    meaning: 'the THROTTLE_POLICY file is not a valid provider policy',
  },
  policy_unreadable: { http: null, meaning: 'the THROTTLE_POLICY file cannot be read' },
  reply_rules_invalid: {
    http: null,
    meaning: 'the reply rules file (src/classify/reply-rules.yaml) does not validate',
  },
  address_data_missing: {
    http: null,
    meaning: 'a domain list package (disposable, free mail) is not installed',
  },
  address_data_invalid: { http: null, meaning: 'a domain list package has an unexpected format' },

  // Services listclean depends on
  redis_unavailable: { http: 503, meaning: 'Redis does not answer' },
  storage_unavailable: {
    http: 503,
    meaning: 'the storage (disk or S3) does not answer or refuses',
  },
  storage_not_found: { http: 404, meaning: 'no such object in storage' },
  storage_bad_key: { http: 400, meaning: 'a storage key that would leave the storage root' },
  service_unavailable: {
    http: 503,
    meaning: 'Redis or storage is unavailable right now; retry later',
  },
  metrics_unavailable: { http: 503, meaning: 'the metrics could not be read from Redis in time' },

  // Files and lists
  file_not_found: {
    http: null,
    meaning: 'the file given to `clean` does not exist or is not a file',
  },
  empty_file: { http: 400, meaning: 'the uploaded file is empty' },
  no_rows: { http: 400, meaning: 'the file has a header row but no data rows' },
  not_csv: {
    http: 400,
    meaning: 'the uploaded file is not CSV (binary, or no consistent delimiter)',
  },
  no_email_column: { http: 400, meaning: 'no column of the file holds email addresses' },
  column_not_found: {
    http: 400,
    meaning: 'the column named with --column / column= is not in the file',
  },
  column_has_no_addresses: {
    http: 400,
    meaning:
      'fewer than one in five values of the email column look like addresses; the message lists the columns that do',
  },
  workbook_unreadable: {
    http: 400,
    meaning: 'the .xlsx workbook is damaged: its archive or its sheet XML cannot be read',
  },
  list_not_found: { http: 404, meaning: 'no such list (or it belongs to another tenant)' },
  list_failed: { http: 409, meaning: 'the list failed; its error says why' },
  list_not_finished: { http: 409, meaning: 'the list is still being processed' },
  list_not_failed: { http: 409, meaning: 'only a failed list can be retried' },
  list_busy: {
    http: 409,
    meaning: 'a worker holds one of the list’s jobs right now; retry in a moment',
  },
  list_vanished: {
    http: null,
    meaning: 'the list disappeared from Redis while `clean` waited for it',
  },
  not_ready: { http: 409, meaning: 'the reports are not ready yet' },
  run_not_found: { http: 404, meaning: 'no such run of the list' },
  unknown_report: { http: 404, meaning: 'no report of that kind' },
  report_missing: { http: 500, meaning: 'a report the list should have is missing from storage' },
  trace_not_found: {
    http: 404,
    meaning: 'the list has no SMTP transcript of that name (it was not uploaded with trace=true)',
  },
  interrupted: {
    http: null,
    meaning: '`clean` was interrupted; the same command continues the list',
  },
  no_schedule: { http: 404, meaning: 'the list has no hygiene schedule' },
  invalid_cron: { http: 400, meaning: 'the schedule’s cron expression does not parse' },
  invalid_timezone: { http: 400, meaning: 'the schedule’s time zone is not an IANA zone name' },
  schedule_too_frequent: {
    http: 400,
    meaning: 'the schedule would start runs closer together than HYGIENE_MIN_INTERVAL',
  },

  // HTTP requests
  unauthorized: { http: 401, meaning: 'no or an unknown API key (Authorization: Bearer <key>)' },
  link_expired: {
    http: 401,
    meaning: 'a signed download link is past its expiry (60 s); ask for a new one',
  },
  link_invalid: {
    http: 401,
    meaning: 'a signed download link does not match its list, run, report or key',
  },
  rate_limited: {
    http: 429,
    meaning: 'more requests per minute than API_RATE_LIMIT; wait for Retry-After',
  },
  too_large: { http: 413, meaning: 'the upload exceeds MAX_UPLOAD_BYTES or MAX_UPLOAD_ROWS' },
  unsupported_media_type: {
    http: 415,
    meaning: 'send text/csv, an .xlsx workbook, or a multipart form with a file field',
  },
  invalid_multipart: { http: 400, meaning: 'the multipart form could not be read' },
  missing_file: { http: 400, meaning: 'the multipart form has no file field' },
  invalid_request: {
    http: 400,
    meaning: 'a parameter or body does not match the API description (/docs)',
  },
  invalid_webhook_url: {
    http: 400,
    meaning: 'the webhook URL is not an http(s) URL on a public address',
  },
  name_too_long: {
    http: 400,
    meaning:
      'the list name (name=, else the uploaded file name) is longer than 255 characters; pass a shorter name=',
  },
  uri_too_long: {
    http: 414,
    meaning: 'a path segment (a list id, a report name, …) is longer than 256 characters',
  },
  headers_too_large: {
    http: 431,
    meaning: 'the request line and headers together exceed 16 KiB (the query string counts)',
  },
  malformed_request: { http: 400, meaning: 'the request is not valid HTTP/1.1' },
  request_timeout: {
    http: 408,
    meaning: 'the request line and headers (or the whole request) took too long to arrive',
  },
  not_found: { http: 404, meaning: 'no such route; the API is described at /docs' },
  internal_error: { http: 500, meaning: 'an unexpected error; the server log has the details' },

  // Verification and delivery
  verification_not_found: {
    http: 404,
    meaning:
      'no such verification (POST /v1/verify), it belongs to another tenant, or it expired after a day',
  },
  provider_throttled: {
    http: null,
    meaning: 'a provider’s session or connection budget is spent; the job waits',
  },
  provider_blocked: {
    http: null,
    meaning: 'a provider refused our sender or IP; probing it is paused (BREAKER_COOLDOWN)',
  },
  webhook_dns: { http: null, meaning: 'the webhook host does not resolve' },
  webhook_unreachable: { http: null, meaning: 'the webhook receiver cannot be reached' },
  webhook_timeout: { http: null, meaning: 'the webhook receiver did not answer in time' },
  webhook_failed: { http: null, meaning: 'the webhook receiver answered with an error status' },

  // The sandbox mail world
  sandbox_scenario_invalid: {
    http: null,
    meaning: 'a sandbox scenario field is wrong; the message names it',
  },
  sandbox_scenario_unparseable: {
    http: null,
    meaning: 'a sandbox scenario file is not JSON or YAML',
  },
  sandbox_scenario_unreadable: { http: null, meaning: 'a sandbox scenario file cannot be read' },
  sandbox_dns_unavailable: { http: null, meaning: 'the sandbox DNS server cannot listen' },
  sandbox_smtp_unavailable: {
    http: null,
    meaning: 'a sandbox SMTP host cannot listen on its 127.0.0.x address',
  },
  sandbox_tls_unavailable: {
    http: null,
    meaning: 'the sandbox cannot make a TLS certificate (openssl missing)',
  },
  sandbox_unknown_host: { http: null, meaning: 'the sandbox has no host of that name' },

  // Programming errors inside the report writer (a bug if ever seen)
  report_closed: { http: 500, meaning: 'a report was written to after it was finished' },
  report_row_too_wide: {
    http: 500,
    meaning: 'a row wider than the header reached the report writer',
  },
  report_stream_closed: { http: 500, meaning: 'a report file stream closed early' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The API's HTTP status for a code (500 for a code the API never answers with). */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].http ?? 500;
}
