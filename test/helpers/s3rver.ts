/** A real S3-protocol server (s3rver) on 127.0.0.1 with one bucket, for storage and API tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface RunningS3 {
  endpoint: string;
  close(): Promise<void>;
}

export async function startS3rver(bucket: string): Promise<RunningS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'listclean-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = (await server.run()) as unknown as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
