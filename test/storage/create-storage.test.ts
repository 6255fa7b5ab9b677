import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ListcleanError } from '../../src/errors.ts';
import { createStorage } from '../../src/storage/index.ts';

const ENDPOINT = 'http://127.0.0.1:9000';

function describeUrl(url: string, endpoint = ENDPOINT, region = 'eu-west-1'): string {
  const storage = createStorage({ STORAGE_URL: url, S3_ENDPOINT: endpoint, AWS_REGION: region });
  void storage.close();
  return storage.describe();
}

describe('createStorage', () => {
  it('reads file: URLs as a directory, relative to the working directory or absolute', () => {
    expect(describeUrl('file:./data')).toBe(`file:${path.resolve('data')}`);
    expect(describeUrl('file:data/lists/')).toBe(`file:${path.resolve('data/lists')}`);
    expect(describeUrl('file:/srv/listclean')).toBe('file:/srv/listclean');
    expect(describeUrl('file:///srv/listclean')).toBe('file:/srv/listclean');
    expect(describeUrl(' file:/srv/x ')).toBe('file:/srv/x');
  });

  it('reads s3:// URLs as a bucket and an optional prefix', () => {
    expect(describeUrl('s3://listclean/lists')).toBe(`s3://listclean/lists @ ${ENDPOINT}`);
    expect(describeUrl('s3://listclean/a/b/')).toBe(`s3://listclean/a/b @ ${ENDPOINT}`);
    expect(describeUrl('s3://listclean')).toBe(`s3://listclean @ ${ENDPOINT}`);
    expect(describeUrl('s3://listclean/')).toBe(`s3://listclean @ ${ENDPOINT}`);
  });

  it('names AWS and the region when no S3_ENDPOINT is set', () => {
    expect(describeUrl('s3://my.bucket-1/p', '')).toBe('s3://my.bucket-1/p @ AWS eu-west-1');
    expect(describeUrl('s3://my.bucket-1/p', '', '')).toBe('s3://my.bucket-1/p @ AWS us-east-1');
  });

  it.each([
    '',
    'data',
    './data',
    'file:',
    'file://otherhost/data',
    'http://127.0.0.1:9000/bucket',
    'ftp://bucket/x',
    's3://',
    's3:///prefix',
    's3://Upper_Case/x',
    's3://ab',
    's3://bucket/../escape',
    's3://bucket/a//b',
  ])('rejects STORAGE_URL %j with config_invalid', (url) => {
    let error: unknown;
    try {
      createStorage({ STORAGE_URL: url, S3_ENDPOINT: '', AWS_REGION: '' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ListcleanError);
    expect((error as ListcleanError).code).toBe('config_invalid');
    expect((error as Error).message).toContain('STORAGE_URL');
    expect((error as Error).message).toContain('s3://<bucket>[/<prefix>]');
  });
});
