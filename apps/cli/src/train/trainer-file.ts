import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type TrainerConfigResult, trainingFromTrainerConfig, VramkitError } from '@vramkit/core';
import { parse } from 'yaml';

/**
 * Reads a trainer config file (YAML or JSON: axolotl, LLaMA-Factory, TRL/TrainingArguments,
 * torchtune) and maps it onto a training workload.
 * @param path the file, relative to `cwd`
 * @throws VramkitError PARSE_ERROR when unreadable or not YAML; InvalidInputError when not a known trainer's config
 */
export async function readTrainerConfig(path: string, cwd: string): Promise<TrainerConfigResult & { file: string }> {
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new VramkitError('PARSE_ERROR', `Cannot read trainer config ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { path: 'from', cause });
  }
  let raw: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    raw = parse(text);
  } catch (cause) {
    throw new VramkitError('PARSE_ERROR', `${file} is not valid YAML/JSON: ${(cause as Error).message.split('\n')[0]}`, { path: 'from', cause });
  }
  return { ...trainingFromTrainerConfig(raw), file };
}
