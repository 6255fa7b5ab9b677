/**
 * AWS SDK failures as ListcleanErrors. A missing object is `storage_not_found`; anything that
 * means "this storage cannot work" (unreachable endpoint, missing bucket, bad credentials) is
 * `storage_unavailable` with a message naming the endpoint, the bucket and what to check.
 */
import { ListcleanError } from '../errors.ts';

export interface S3Context {
  /** `s3://bucket/prefix @ endpoint`. */
  location: string;
  bucket: string;
  /** S3_ENDPOINT, or "AWS <region>" when it is unset. */
  endpoint: string;
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Socket-level failures: the request never got an S3 answer. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'TimeoutError',
]);

const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
]);

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The errno (or SDK error name) of a connection failure; Node's happy eyeballs nests it. */
function unreachableCode(error: SdkErrorShape): string | null {
  const nested = Array.isArray(error.errors) ? shape(error.errors[0]) : {};
  for (const code of [error.code, error.name, nested.code]) {
    if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
  }
  return null;
}

/** S3's "no such object": NoSuchKey on GET, a bare 404 (NotFound) on HEAD. */
export function isMissingObject(error: unknown): boolean {
  const { name, $metadata } = shape(error);
  if (name === 'NoSuchKey' || name === 'NotFound') return true;
  return $metadata?.httpStatusCode === 404 && name !== 'NoSuchBucket';
}

export function s3NotFound(context: S3Context, key: string): ListcleanError {
  return new ListcleanError(
    'storage_not_found',
    `No object ${JSON.stringify(key)} in storage ${context.location}.`,
  );
}

export function missingBucket(context: S3Context, cause?: unknown): ListcleanError {
  return new ListcleanError(
    'storage_unavailable',
    `S3 bucket "${context.bucket}" does not exist at ${context.endpoint}: create it, or fix the ` +
      `bucket in STORAGE_URL (${context.location}).`,
    { cause },
  );
}

/**
 * `error` as `storage_unavailable` when it came from S3 or the way to it; any other error (a bug,
 * a caller's aborted stream) is returned unchanged.
 */
export function s3Failure(context: S3Context, error: unknown): unknown {
  const sdk = shape(error);
  const name = text(sdk.name);
  const unavailable = (detail: string): ListcleanError =>
    new ListcleanError('storage_unavailable', `S3 storage ${context.location}: ${detail}`, {
      cause: error,
    });

  if (name === 'NoSuchBucket') return missingBucket(context, error);
  if (name === 'CredentialsProviderError') {
    return unavailable(
      'no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
        '(or another credential source of the AWS SDK).',
    );
  }
  if (DENIED.has(name) || sdk.$metadata?.httpStatusCode === 403) {
    return unavailable(
      `${context.endpoint} refused access to bucket "${context.bucket}" (${name || '403'}): ` +
        'check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket policy.',
    );
  }
  const code = unreachableCode(sdk);
  if (code !== null) {
    return unavailable(
      `cannot reach ${context.endpoint} (${code}): check S3_ENDPOINT, that the S3 server is ` +
        `running and reachable from this host, and that bucket "${context.bucket}" exists.`,
    );
  }
  if (sdk.$metadata !== undefined) {
    return unavailable(
      `request failed (${name || 'error'}: ${text(sdk.message)}): check S3_ENDPOINT ` +
        `(${context.endpoint}), that bucket "${context.bucket}" exists, and the server's health.`,
    );
  }
  return error;
}
