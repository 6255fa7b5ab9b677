/**
 * The README is the front door: it must document every variable the config module reads, every
 * command, and the error-code catalog exactly as the code has it.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { CONFIG_KEYS } from '../../src/config/env.ts';
import { ERROR_CODES } from '../../src/error-codes.ts';

describe('README', () => {
  it('documents every configuration variable', async () => {
    const readme = await readFile('README.md', 'utf8');
    for (const key of CONFIG_KEYS) expect(readme, key).toContain(`\`${key}\``);
  });

  it('documents every CLI command and the two set-up commands', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
    for (const command of buildProgram().commands) {
      expect(readme, command.name()).toContain(`listclean ${command.name()}`);
    }
  });

  it('has the error-code table of src/error-codes.ts, row for row', async () => {
    const readme = await readFile('README.md', 'utf8');
    const section = readme.split('## Error codes')[1]?.split('\n## ')[0] ?? '';
    const rows = [...section.matchAll(/^\| `([a-z_]+)` \| (\d{3}|—) \| (.+) \|$/gm)].map((m) => ({
      code: m[1],
      http: m[2] === '—' ? null : Number(m[2]),
      meaning: m[3],
    }));
    const catalog = Object.entries(ERROR_CODES).map(([code, info]) => ({
      code,
      http: info.http,
      meaning: info.meaning,
    }));
    expect(rows).toEqual(catalog);
  });
});
