/**
 * The one self-signed certificate every STARTTLS-capable sandbox host presents. Node cannot make
 * an X.509 certificate, so `openssl` does, once per process, in a temporary directory that is
 * removed as soon as the key and certificate are read back.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { ListcleanError } from '../../errors.ts';

/** The certificate's subject; clients that probe do not check it (it is self-signed anyway). */
export const SANDBOX_TLS_NAME = 'mx.sandbox.test';

const OPENSSL_TIMEOUT_MS = 60_000;

let cached: Promise<tls.SecureContext> | undefined;

/**
 * The server-side TLS context of the sandbox, made on first use and shared afterwards. Rejects
 * with `sandbox_tls_unavailable` when `openssl` is missing or fails.
 */
export function sandboxSecureContext(): Promise<tls.SecureContext> {
  cached ??= makeSecureContext().catch((error: unknown) => {
    // Let a later world try again (say, once openssl is installed).
    cached = undefined;
    throw error;
  });
  return cached;
}

async function makeSecureContext(): Promise<tls.SecureContext> {
  const dir = await mkdtemp(join(tmpdir(), 'listclean-sandbox-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${SANDBOX_TLS_NAME}`,
      '-days',
      '2',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    const [key, cert] = await Promise.all([readFile(keyFile), readFile(certFile)]);
    return tls.createSecureContext({ key, cert });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: OPENSSL_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (error === null) return resolve();
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new ListcleanError(
          'sandbox_tls_unavailable',
          missing
            ? 'A sandbox host has `starttls: true`, which needs a self-signed certificate made ' +
                'by `openssl`, and `openssl` is not on PATH. Install it (e.g. apt-get install ' +
                'openssl) or drop `starttls: true` from the scenario.'
            : `A sandbox host has \`starttls: true\`, but \`openssl\` could not make its ` +
                `self-signed certificate: ${String(stderr).trim() || error.message}`,
          { cause: error },
        ),
      );
    });
  });
}
