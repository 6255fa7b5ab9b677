#!/usr/bin/env node
// The `listclean` command. An installed package or image runs the compiled JavaScript in dist/
// (`npm run build`); a checkout, where src/ is, runs the TypeScript straight from src/ through
// tsx, so an edit is never hidden behind a stale build. LISTCLEAN_DIST=<dir> runs a given build.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const checkout = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const dist = process.env.LISTCLEAN_DIST || fileURLToPath(new URL('../dist', import.meta.url));

let main;
if (!process.env.LISTCLEAN_DIST && existsSync(checkout)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(pathToFileURL(checkout).href));
} else {
  ({ main } = await import(pathToFileURL(`${dist}/src/cli/main.js`).href));
}
await main(process.argv);
