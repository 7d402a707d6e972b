import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigValidationError, VramkitError } from '@vramkit/core';
// Types only: the schema (and zod) is imported when a config file exists, which most runs lack
// (start-up time, bench/cold-start.mjs).
import type { CliConfig } from './cli-config-schema.js';

import type { FlagSpec } from './flag-spec.js';
import { FLAGS } from './flag-table.js';

export type { CliConfig } from './cli-config-schema.js';

/** The flags the config file's `defaults` may set, by their config key (`kvDtype` for `--kv-dtype`); the schema derives from them. */
export const CONFIG_FLAGS: readonly FlagSpec[] = FLAGS.filter((f) => f.config !== undefined);

/** The config of a run without a config file: what the schema gives for `{}` (a test holds them equal). */
export const EMPTY_CLI_CONFIG: CliConfig = { defaults: {}, plugins: [] };

/** Where the config file is looked for, first hit wins. */
export function configCandidates(env: Record<string, string | undefined>, cwd: string): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [
    ...(env.VRAMKIT_CONFIG ? [resolve(cwd, env.VRAMKIT_CONFIG)] : []),
    join(cwd, 'vramkit.config.json'),
    join(xdg, 'vramkit', 'config.json'),
  ];
}

/**
 * Loads the CLI config: `--config <path>` when given (must exist), else the first of
 * `$VRAMKIT_CONFIG`, `./vramkit.config.json`, `$XDG_CONFIG_HOME/vramkit/config.json` that exists.
 * @throws ConfigValidationError naming the bad field
 */
export async function loadCliConfig(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<CliConfig & { path?: string }> {
  const paths = explicit ? [resolve(cwd, explicit)] : configCandidates(env, cwd);
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      if (explicit)
        throw new VramkitError('INVALID_INPUT', `Cannot read the config file ${path}. Check the path given.`, {
          path: 'config',
          cause,
        });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new VramkitError('PARSE_ERROR', `${path} is not valid JSON: ${(cause as Error).message}`, {
        path: 'config',
        cause,
      });
    }
    const { CliConfigSchema } = await import('./cli-config-schema.js');
    const r = CliConfigSchema.safeParse(json);
    if (!r.success) {
      throw new ConfigValidationError(
        'vramkit config',
        r.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: `${i.message} (in ${path})` })),
      );
    }
    return { ...(r.data as CliConfig), path };
  }
  return { defaults: { ...EMPTY_CLI_CONFIG.defaults }, plugins: [...EMPTY_CLI_CONFIG.plugins] };
}
