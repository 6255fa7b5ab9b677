/**
 * Hostile SMTP servers (every run's list has them: tarpit, drip, drop before and during the
 * session, garbage, 2 MiB lines, 421 and 554 banners, greylisting forever, refused connections),
 * alone and with the DNS answering SERVFAIL, or nothing, for the big domains for a while.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkOutcome,
  expectNoLeak,
  type FaultRun,
  faultList,
  record,
  startFaultRun,
  waitDone,
} from './fault-run.ts';

const WORKERS = 3;
let run: FaultRun | undefined;

afterEach(async () => {
  await run?.close();
  if (run) await expectNoLeak(run);
  run = undefined;
});

describe('hostile SMTP servers and a DNS outage', () => {
  it('hostile SMTP servers: every verdict is the truth', async () => {
    run = await startFaultRun(faultList());
    for (let i = 0; i < WORKERS; i++) await run.spawnWorker();
    const started = Date.now();
    await run.submit('hostile-smtp');
    await waitDone(run.rt, 'hostile-smtp', 600_000);
    const figures = await checkOutcome(run, 'hostile-smtp');
    record(
      'hostile SMTP servers (tarpit, drip, drops, garbage, 2 MiB line, 421/554, greylist forever)',
      figures,
      Date.now() - started,
    );
  });

  it('DNS answers SERVFAIL or nothing for the big domains for 8 s: retried, then the truth', async () => {
    const list = faultList();
    // Transient failures get two more rounds, 5 s and 10 s later: the outage ends before.
    run = await startFaultRun(list, { env: { GREYLIST_RETRY_DELAYS: '5s,10s' } });
    for (let i = 0; i < WORKERS; i++) await run.spawnWorker();
    const [servfail1, servfail2, silent] = list.bigDomains as [string, string, string];
    const asked = (domain: string) =>
      run?.world.dns.queries.filter((q) => q.includes(domain)).length ?? 0;
    run.world.updateDomain(servfail1, { servfail: true });
    run.world.updateDomain(servfail2, { servfail: true });
    run.world.updateDomain(silent, { dnsTimeout: true });
    const started = Date.now();
    await run.submit('dns-outage');
    await new Promise((resolve) => setTimeout(resolve, 8000));
    // The outage was met: the workers asked about those domains while it lasted.
    expect(asked(servfail1)).toBeGreaterThan(0);
    expect(asked(silent)).toBeGreaterThan(0);
    expect((await run.rt.lists.get('dns-outage'))?.status).not.toBe('done');
    run.world.updateDomain(servfail1, { servfail: false });
    run.world.updateDomain(servfail2, { servfail: false });
    run.world.updateDomain(silent, { dnsTimeout: false });
    await waitDone(run.rt, 'dns-outage', 600_000);
    const figures = await checkOutcome(run, 'dns-outage');
    record('DNS SERVFAIL (2 big domains) and no answer (1) for 8 s', figures, Date.now() - started);
  });
});
