/**
 * Markdown for the million-row memory benchmark. Every number and parameter in the prose comes
 * from the world (BigListWorld) or the results (MillionBench).
 */
import type { ListStatus } from '../../src/pipeline/types.ts';
import type { MillionBench } from '../cases/million.ts';
import { type FamilyBytes, familyTotal } from '../harness/key-families.ts';
import type { BigListWorld } from '../worlds/big-list.ts';
import { int, mb, ordinal, perSecond, seconds, table } from './markdown.ts';
import { ingestEnd, phaseMs } from './pipeline.ts';

export function isNewList(world: BigListWorld): boolean {
  return world.uncachedEvery === 1;
}

export function millionTitle(world: BigListWorld): string {
  const kind = isNewList(world) ? 'a new list, nothing cached' : 'a hygiene re-run';
  return `${int(world.rows)}-row CSV (${kind}): ingest, probes and aggregate`;
}

function describeCache(world: BigListWorld, m: MillionBench): string {
  if (isNewList(world)) {
    return `A new list: nothing is cached, so all ${int(m.truth.uncached)} addresses are probed.`;
  }
  return (
    'A nightly-hygiene re-run: the verdict cache was pre-filled for every address except those ' +
    `at every ${ordinal(world.uncachedEvery)} domain (${int(m.truth.uncached)} addresses).`
  );
}

export function millionTable(world: BigListWorld, m: MillionBench): string {
  const d = m.drive;
  const rows = world.rows;
  const peak = (status: ListStatus) => {
    const p = d.memoryByPhase[status];
    return p ? `${mb(p.rss)} / ${mb(p.heapUsed)}` : '—';
  };
  const verifyingPeak = d.memoryByPhase.verifying ? peak('verifying') : '—';
  const phaseRows = [
    ['upload to storage, create flow', seconds(phaseMs(d, 'queued', 'ingesting')), peak('queued')],
    [
      'ingest (probe jobs run alongside)',
      seconds(ingestEnd(d) - (d.phases.ingesting ?? 0)),
      peak('ingesting'),
    ],
    [
      'probe jobs left after ingest',
      seconds((d.phases.aggregating ?? d.totalMs) - ingestEnd(d)),
      verifyingPeak,
    ],
    [
      'aggregate (reports written and stored)',
      seconds(phaseMs(d, 'aggregating', 'done')),
      peak('aggregating'),
    ],
    ['total', seconds(d.totalMs), mb(d.maxRss)],
  ];
  const r = d.redis;
  return [
    `${int(rows)} rows (${mb(m.truth.bytes)} CSV, ${int(m.truth.unique)} distinct addresses) ` +
      `over ${int(world.domains)} domains (Zipf ${world.zipf}), generated into a temp file ` +
      `in ${seconds(m.generateMs)} and streamed from it. ${describeCache(world, m)} Uncached ` +
      'addresses go through probe jobs against DNS-only sandbox domains (half null MX, half ' +
      `NXDOMAIN) — a world of ${int(world.domains)} SMTP hosts is out of reach. One process ` +
      'does it all (in-process workers, like `listclean clean`).',
    '',
    table(['phase', 'wall', 'peak RSS / heap used in phase'], phaseRows),
    '',
    table(
      ['measure', 'value'],
      [
        ['rows/s end to end', perSecond(rows, d.totalMs)],
        ['peak RSS of the process (maxRSS)', mb(d.maxRss)],
        [
          'CPU time of the process / event-loop utilisation',
          `${seconds(d.cpuMs)} / ${Math.round(d.eventLoop * 100)} %`,
        ],
        ['addresses answered from the cache', int(d.cached)],
        [
          `probe jobs run (fewest possible: ⌈addresses / ${world.probeBatch}⌉ per domain)`,
          `${int(d.probeJobs)} (${int(m.truth.minProbeJobs)})`,
        ],
        ['verdicts = truth (counts by reason)', m.mismatches === 0 ? 'yes' : `no: ${m.mismatches}`],
        [
          'Redis: pre-filled cache, B/address',
          m.truth.unique > m.truth.uncached
            ? int(m.cacheBytes / (m.truth.unique - m.truth.uncached))
            : '—',
        ],
        ['Redis: after ingest − before, B/row', int((r.afterIngest - r.before) / rows)],
        ['Redis: peak − before, B/row', int((r.peak - r.before) / rows)],
        ['Redis: end − before, B/row', int((r.end - r.before) / rows)],
        ['Redis calls/row', (d.commands.total / rows).toFixed(2)],
        [
          'top commands, calls/row',
          d.commands.byCommand
            .slice(0, 14)
            .map(([name, n]) => `${name} ${(n / rows).toFixed(2)}`)
            .join(', '),
        ],
        [
          'verdict cache (own Redis) at the end − before the fill, B/row',
          int((m.cacheEndBytes ?? 0) / rows),
        ],
      ],
      '---|---:',
    ),
    '',
    familyTable(m, rows),
  ].join('\n');
}

/** The run's own keys in the main Redis by family, B/row (MEMORY USAGE, sampled every ~3 s). */
function familyTable(m: MillionBench, rows: number): string {
  const f = m.families;
  if (!f) return '';
  const cell = (bytes: FamilyBytes | null, key: keyof FamilyBytes | 'total') =>
    bytes ? int((key === 'total' ? familyTotal(bytes) : bytes[key]) / rows) : '—';
  const families: Array<[string, keyof FamilyBytes | 'total']> = [
    ['results (buckets, shapes)', 'results'],
    ['statuses', 'statuses'],
    ['list metadata, runs, waiting', 'listOther'],
    ['BullMQ (jobs, queues, events)', 'bullmq'],
    ['verdict cache in the main Redis', 'cache'],
    ['other (catch-all, gates, metrics)', 'other'],
    ['total', 'total'],
  ];
  return [
    `The run's own keys in the main Redis by family, B/row (MEMORY USAGE over a SCAN of the ` +
      `run's prefix, ${f.samples} samples ~3 s apart from the bench's parent process; "peak" is ` +
      'the sample with the largest total, so the true peak can be a little higher):',
    '',
    table(
      ['family', 'after ingest', 'at peak', 'at end'],
      families.map(([label, key]) => [
        label,
        cell(f.afterIngest, key),
        cell(f.peak, key),
        cell(f.end, key),
      ]),
      '---|---:|---:|---:',
    ),
  ].join('\n');
}

/** The whole section of one big list, its heading first. */
export function millionSection(world: BigListWorld, m: MillionBench): string {
  return [`## ${millionTitle(world)}`, millionTable(world, m)].join('\n\n');
}
