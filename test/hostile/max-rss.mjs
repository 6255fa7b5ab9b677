// Preloaded into a child (NODE_OPTIONS=--import=…): prints the process's peak RSS as it exits,
// so a test can assert the memory a `listclean` run took, whatever happened in between.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nmax-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
