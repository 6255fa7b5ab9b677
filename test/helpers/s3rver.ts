/** A real S3-protocol server (s3rver) on 127.0.0.1 with one bucket, for storage and API tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface RunningS3 {
  endpoint: string;
  /** Stops answering (an outage); the objects stay for `resume`. */
  pause(): Promise<void>;
  /** Answers again on the same port with the same objects. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startS3rver(bucket: string): Promise<RunningS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'listclean-s3rver-'));
  const serve = (port: number) =>
    new S3rver({
      port,
      address: '127.0.0.1',
      silent: true,
      directory,
      configureBuckets: [{ name: bucket }],
    });
  let server: S3rver | null = serve(0);
  const { port } = (await server.run()) as unknown as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async pause() {
      if (!server) return;
      const running = server as unknown as { httpServer?: Server };
      // Keep-alive sockets of the S3 client would hold close() open: an outage drops them.
      running.httpServer?.closeAllConnections();
      await server.close();
      server = null;
    },
    async resume() {
      if (server) return;
      server = serve(port);
      await server.run();
    },
    async close() {
      await server?.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
