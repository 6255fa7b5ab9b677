/**
 * `npm run build:console` (part of `npm run build`): writes the bundled web console to
 * dist/console/ (or the folder given), and refuses a console over its page-weight budget. The
 * sizes go to stderr: `npm pack --json` runs the build and its stdout must stay JSON.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleConsole } from './assets.ts';

/** The limit for the whole page before compression. */
const BUDGET_BYTES = 150 * 1024;

const out = path.resolve(process.argv[2] ?? 'dist/console');
const files = await bundleConsole();
await mkdir(out, { recursive: true });
let total = 0;
for (const [name, body] of Object.entries(files)) {
  await writeFile(path.join(out, name), body);
  total += body.length;
  console.error(`${path.relative(process.cwd(), path.join(out, name))}  ${body.length} bytes`);
}
console.error(`web console: ${total} bytes in all (budget ${BUDGET_BYTES})`);
if (total > BUDGET_BYTES) {
  console.error(`the web console is over its budget of ${BUDGET_BYTES} bytes`);
  process.exitCode = 1;
}
