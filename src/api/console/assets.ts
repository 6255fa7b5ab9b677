/**
 * The web console's files (src/console/: browser TypeScript, index.html, styles.css, icon.svg).
 * `npm run build` bundles them with esbuild into dist/console/, which the compiled server
 * serves; a server running from a checkout's sources (tsx) bundles them in memory on first use
 * instead, with the same options, so `listclean serve` in a checkout always serves the console
 * as the sources are. The bundle is one minified ES module: no framework, nothing fetched from
 * anywhere but this server.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Every file the console consists of, by the name it is served under (/console/<name>). */
export const CONSOLE_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'styles.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
} as const;

export type ConsoleFile = keyof typeof CONSOLE_FILES;

export interface ConsoleAsset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  /** A strong ETag of the body. */
  etag: string;
}

/** The sources, next to this module's folder when it runs as TypeScript (src/api/console/). */
const SOURCE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));
/** The built files: dist/console/, from dist/src/api/console/ where this module is compiled to. */
const BUILT_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

/** Whether this process runs from the TypeScript sources (a checkout, through tsx). */
export function runsFromSources(): boolean {
  return import.meta.url.endsWith('.ts');
}

/** Bundles the sources (esbuild, a dev dependency): the files as `npm run build` writes them. */
export async function bundleConsole(sourceDir = SOURCE_DIR): Promise<Record<ConsoleFile, Buffer>> {
  const esbuild = await import('esbuild');
  const common = { bundle: true, minify: true, write: false, legalComments: 'none' } as const;
  const [script, styles] = await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [`${sourceDir}app.ts`],
      outfile: 'app.js',
      format: 'esm',
      target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
      logLevel: 'silent',
    }),
    esbuild.build({
      ...common,
      entryPoints: [`${sourceDir}styles.css`],
      outfile: 'styles.css',
      logLevel: 'silent',
    }),
  ]);
  const output = (result: typeof script) => {
    const [file] = result.outputFiles;
    if (file === undefined) throw new Error('esbuild wrote nothing');
    return Buffer.from(file.contents);
  };
  return {
    'index.html': await readFile(`${sourceDir}index.html`),
    'app.js': output(script),
    'styles.css': output(styles),
    'icon.svg': await readFile(`${sourceDir}icon.svg`),
  };
}

async function readBuilt(): Promise<Record<ConsoleFile, Buffer>> {
  const entries = await Promise.all(
    (Object.keys(CONSOLE_FILES) as ConsoleFile[]).map(
      async (name) => [name, await readFile(`${BUILT_DIR}${name}`)] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<ConsoleFile, Buffer>;
}

/** The console's files, ready to serve (gzipped once, with ETags). */
export async function loadConsole(): Promise<ReadonlyMap<string, ConsoleAsset>> {
  const files = runsFromSources() ? await bundleConsole() : await readBuilt();
  const assets = new Map<string, ConsoleAsset>();
  for (const [name, body] of Object.entries(files) as Array<[ConsoleFile, Buffer]>) {
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
    assets.set(name, {
      body,
      gzip: gzipSync(body, { level: 9 }),
      type: CONSOLE_FILES[name],
      etag: `"${hash}"`,
    });
  }
  return assets;
}
