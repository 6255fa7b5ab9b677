/**
 * Reads a scenario file for `listclean sandbox --scenario FILE` and friends. JSON and YAML are
 * both parsed as YAML 1.2 (JSON is a subset of it), so one parser reports line and column.
 */
import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import { ListcleanError } from '../../errors.ts';
import type { Scenario } from './scenario.ts';
import { validateScenario } from './scenario-schema.ts';

export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new ListcleanError(
      'sandbox_scenario_unreadable',
      `Cannot read the scenario file ${path} (${code}); check the path.`,
      { cause: error },
    );
  }
  return validateScenario(parseScenarioText(text, path), path);
}

/** Parses JSON or YAML text; `source` names it in errors. */
export function parseScenarioText(text: string, source: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos !== undefined
        ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
        : '';
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ListcleanError(
      'sandbox_scenario_unparseable',
      `${source} is not valid JSON or YAML${where}: ${detail}`,
      { cause: error },
    );
  }
}
