/**
 * The console's only way to the server: the /v1 HTTP API with the signed-in key in the
 * Authorization header (never in a URL). Reports are opened through short-lived signed links,
 * so a download is a plain navigation (the browser saves it, S3 redirects work) and the key
 * still never leaves the header.
 */

const KEY_ITEM = 'listclean.apiKey';

/** An answer of the API that is not a success, with the server's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_ITEM);
  else sessionStorage.setItem(KEY_ITEM, key);
}

/** Called when the server refuses the key: the console signs out. */
let onUnauthorized: (error: ApiError) => void = () => {};
export function whenUnauthorized(handler: (error: ApiError) => void): void {
  onUnauthorized = handler;
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = `The server answered ${response.status} ${response.statusText}.`;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(response.status, code, message);
}

export interface RequestOptions {
  method?: string;
  body?: BodyInit | null;
  json?: unknown;
  headers?: Record<string, string>;
  /** Use this key instead of the stored one (signing in). */
  key?: string;
}

/** A /v1 call: the parsed JSON answer (null for 204), or an ApiError with the server's words. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return null as T;
  return (await response.json()) as T;
}

/** Like `api`, but gives the Response itself (for status codes such as 202). */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const key = options.key ?? storedKey();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body = options.body ?? null;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body });
  } catch (error) {
    throw new ApiError(
      0,
      'network',
      `The server could not be reached (${(error as Error).message}). Check the connection and try again.`,
    );
  }
  if (response.ok) return response;
  const error = await errorOf(response);
  if (error.status === 401 && options.key === undefined) onUnauthorized(error);
  throw error;
}

/**
 * Uploads a file with progress (fetch cannot report an upload's progress; XMLHttpRequest can).
 * Resolves with the JSON answer of a 2xx, rejects with an ApiError otherwise.
 */
export function upload<T>(
  path: string,
  file: Blob,
  contentType: string,
  onProgress: (sent: number, total: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('authorization', `Bearer ${storedKey() ?? ''}`);
    request.setRequestHeader('content-type', contentType);
    request.setRequestHeader('accept', 'application/json');
    request.upload.onprogress = (event) => onProgress(event.loaded, event.total);
    request.onerror = () =>
      reject(
        new ApiError(0, 'network', 'The upload was interrupted: the server could not be reached.'),
      );
    request.onload = () => {
      let body: { error?: { code?: string; message?: string } } | null = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status >= 200 && request.status < 300) {
        resolve(body as T);
        return;
      }
      const error = new ApiError(
        request.status,
        body?.error?.code ?? `http_${request.status}`,
        body?.error?.message ?? `The server answered ${request.status} ${request.statusText}.`,
      );
      if (error.status === 401) onUnauthorized(error);
      reject(error);
    };
    request.send(file);
  });
}

/**
 * Opens a report: asks for a signed link (POST <report>/link) and follows it — saved as a file,
 * or (`inline`: summary.json, report.html) in a new tab.
 */
export async function openReport(reportPath: string, inline: boolean): Promise<void> {
  const [path, query] = reportPath.split('?');
  const link = await api<{ url: string }>(`${path}/link${query ? `?${query}` : ''}`, {
    method: 'POST',
  });
  const anchor = document.createElement('a');
  anchor.href = link.url;
  if (inline) {
    anchor.target = '_blank';
    anchor.rel = 'noopener';
  } else {
    anchor.download = '';
  }
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
}
