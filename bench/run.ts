/** `npm run bench`: prints every benchmark's numbers side by side. Results go to bench/RESULTS.md by hand. */
import os from 'node:os';
import { benchVerifySessions, formatVerifyRows } from './verify-sessions.ts';

async function main(): Promise<void> {
  process.stdout.write(
    `listclean bench — node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}\n\n`,
  );
  process.stdout.write(
    '## 100 addresses at one domain (90 exist, 10 do not), 20 ms sandbox reply latency\n\n',
  );
  process.stdout.write(`${formatVerifyRows(await benchVerifySessions())}\n`);
}

await main();
