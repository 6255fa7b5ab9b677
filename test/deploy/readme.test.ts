/** The README is the front door: it must document every variable the config module reads. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { CONFIG_KEYS } from '../../src/config/env.ts';

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
});
