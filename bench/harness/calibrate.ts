/**
 * What one sandbox reply really costs at a configured latency: one idle session with 50
 * pipelined RCPTs, timed end to end and divided by its replies (banner, EHLO, MAIL, RCPTs,
 * QUIT). Node timers fire a little late and each reply waits for the previous one, so this is
 * somewhat more than the latency; the ideal bound is shown at both.
 */
import { startWorld } from '../../src/sandbox/index.ts';
import { runSession } from '../../src/smtp/session.ts';

const RCPTS = 50;

export async function measureReplyMs(latencyMs: number): Promise<number> {
  const users = Array.from({ length: RCPTS }, (_, i) => `u${i}`);
  const world = await startWorld({
    latencyMs,
    domains: { 'calibrate.test': { mx: [{ host: 'mx.calibrate.test' }], mailboxes: users } },
  });
  try {
    const target = { host: 'mx.calibrate.test', ip: world.hostIp('mx.calibrate.test') };
    const options = {
      port: world.smtpPort,
      heloName: 'bench.listclean.test',
      mailFrom: 'verify@listclean.test',
      timeouts: { connectMs: 1000, bannerMs: 2000, commandMs: 2000, quitMs: 2000 },
      pipelining: true,
      starttls: false,
      maxRcptsPerSession: RCPTS,
      maxRejectsPerSession: 8,
    };
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const result = await runSession(
        target,
        users.map((u) => `${u}@calibrate.test`),
        options,
      );
      samples.push((performance.now() - started) / (4 + result.replies.size));
    }
    samples.sort((a, b) => a - b);
    return samples[2] ?? latencyMs;
  } finally {
    await world.close();
  }
}
