/**
 * The folder of listclean's package.json, found from this module's own location: the same in a
 * checkout (src/config/) and in a build (dist/src/config/), wherever the package is installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | undefined;

export function packageRoot(): string {
  if (found) return found;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('listclean: cannot find its package.json');
    dir = parent;
  }
  found = dir;
  return dir;
}

/** listclean's version, from its package.json. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
  return String(manifest.version);
}
