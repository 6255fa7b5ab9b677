/** The failure translations that a live server cannot easily stage (as root, EACCES never fires). */
import { describe, expect, it } from 'vitest';
import { ListcleanError } from '../../src/errors.ts';
import { diskFailure } from '../../src/storage/disk-errors.ts';
import { isMissingObject, type S3Context, s3Failure } from '../../src/storage/s3-errors.ts';

const errno = (code: string): Error => Object.assign(new Error(`${code}: oops`), { code });
const sdk = (name: string, status: number): Error =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

const context: S3Context = {
  location: 's3://bucket/app @ http://127.0.0.1:9000',
  bucket: 'bucket',
  endpoint: 'http://127.0.0.1:9000',
};

function failure(error: unknown): ListcleanError {
  expect(error).toBeInstanceOf(ListcleanError);
  return error as ListcleanError;
}

describe('diskFailure', () => {
  it('blames the operator for permissions, full disks and read-only mounts', () => {
    for (const code of ['EACCES', 'ENOSPC', 'EROFS']) {
      const mapped = failure(diskFailure('/srv/data', 'lists/1/a.csv', 'write', errno(code)));
      expect(mapped.code).toBe('storage_unavailable');
      expect(mapped.message).toContain(`file:/srv/data (${code})`);
      expect(mapped.message).toContain('STORAGE_URL');
    }
  });

  it('blames the key when it collides with a folder', () => {
    const mapped = failure(diskFailure('/srv/data', 'a/b', 'write', errno('EISDIR')));
    expect(mapped.code).toBe('storage_bad_key');
  });

  it('passes anything that is no fs error through unchanged', () => {
    const bug = new TypeError('bug');
    expect(diskFailure('/srv/data', 'a', 'read', bug)).toBe(bug);
  });
});

describe('s3Failure', () => {
  it('says to set credentials when the SDK found none', () => {
    const none = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const mapped = failure(s3Failure(context, none));
    expect(mapped.code).toBe('storage_unavailable');
    expect(mapped.message).toContain('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  });

  it('sees a refused connection inside an AggregateError (dual-stack connect)', () => {
    const refused = Object.assign(new AggregateError([errno('ECONNREFUSED')], 'connect'), {
      $metadata: {},
    });
    const mapped = failure(s3Failure(context, refused));
    expect(mapped.message).toContain('cannot reach http://127.0.0.1:9000 (ECONNREFUSED)');
  });

  it('names the endpoint and bucket for any other S3 error', () => {
    const mapped = failure(s3Failure(context, sdk('InternalError', 500)));
    expect(mapped.code).toBe('storage_unavailable');
    expect(mapped.message).toContain('InternalError');
    expect(mapped.message).toContain('bucket "bucket"');
  });

  it('passes errors that did not come from S3 through unchanged', () => {
    const bug = new TypeError('bug');
    expect(s3Failure(context, bug)).toBe(bug);
  });
});

describe('isMissingObject', () => {
  it('is a missing key, never a missing bucket', () => {
    expect(isMissingObject(sdk('NoSuchKey', 404))).toBe(true);
    expect(isMissingObject(sdk('NotFound', 404))).toBe(true);
    expect(isMissingObject(sdk('NoSuchBucket', 404))).toBe(false);
    expect(isMissingObject(sdk('AccessDenied', 403))).toBe(false);
  });
});
