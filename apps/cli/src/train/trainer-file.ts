import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type ParseClock,
  parseClock,
  type TrainerConfigResult,
  trainingFromTrainerConfig,
  VramkitError,
} from '@vramkit/core';
import { isMap, parseDocument, visit } from 'yaml';

// A trainer config is a few KB; 1 MiB bounds memory and time however the file was made.
const MAX_TRAINER_CONFIG_BYTES = 1024 * 1024;

/**
 * YAML (a superset of JSON) to a value, in time linear in the input: the yaml package's own
 * duplicate-key check compares every key with every other (a 200k-key file took minutes), so keys are
 * checked here with a set per mapping; aliases are capped (billion-laughs); the clock bounds wall time.
 */
function parseYaml(text: string, clock: ParseClock): unknown {
  clock.check();
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) throw doc.errors[0];
  clock.check();
  visit(doc, {
    Map(_key, node) {
      clock.check();
      if (!isMap(node)) return;
      const seen = new Set<unknown>();
      for (const item of node.items) {
        const k =
          item.key && typeof item.key === 'object' && 'value' in item.key
            ? (item.key as { value: unknown }).value
            : item.key;
        if (seen.has(k)) throw new Error(`duplicate key ${JSON.stringify(String(k)).slice(0, 60)}`);
        seen.add(k);
      }
    },
  });
  clock.check();
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * Reads a trainer config file (YAML or JSON: axolotl, LLaMA-Factory, TRL/TrainingArguments,
 * torchtune) and maps it onto a training workload.
 * @param path the file, relative to `cwd`
 * @param options.parseTimeBudgetMs wall-clock budget of the parse (default core's `PARSE_TIME_BUDGET_MS`, 10 s)
 * @throws VramkitError PARSE_ERROR when unreadable or not YAML, or ParseTimeBudgetError past the budget;
 *   InvalidInputError when not a known trainer's config
 */
export async function readTrainerConfig(
  path: string,
  cwd: string,
  options: { parseTimeBudgetMs?: number } = {},
): Promise<TrainerConfigResult & { file: string }> {
  const file = resolve(cwd, path);
  let text: string;
  try {
    const size = (await stat(file)).size;
    if (size > MAX_TRAINER_CONFIG_BYTES) {
      throw new VramkitError(
        'PARSE_ERROR',
        `${file} has ${size.toLocaleString('en-US')} bytes, above the ${MAX_TRAINER_CONFIG_BYTES.toLocaleString('en-US')}-byte limit for a trainer config`,
        { path: 'from' },
      );
    }
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if (VramkitError.isInstance(cause)) throw cause;
    throw new VramkitError(
      'PARSE_ERROR',
      `Cannot read trainer config ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
      { path: 'from', cause },
    );
  }
  let raw: unknown;
  const clock = parseClock('trainer config', options.parseTimeBudgetMs, { file: path, path: 'parseTimeBudgetMs' });
  try {
    // YAML is a superset of JSON, so one parser reads both.
    raw = parseYaml(text, clock);
  } catch (cause) {
    if (VramkitError.isInstance(cause)) throw cause;
    throw new VramkitError(
      'PARSE_ERROR',
      `${file} is not valid YAML/JSON: ${(cause as Error).message.split('\n')[0]?.slice(0, 200)}`,
      { path: 'from', cause },
    );
  }
  return { ...trainingFromTrainerConfig(raw), file };
}
