import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigValidationError, VramkitError } from '@vramkit/core';
import { z } from 'zod';
import type { FlagSpec } from './flag-spec.js';
import { FLAGS } from './flag-table.js';

/** The config file's type for one flag, from the flag table. */
function schemaOf(f: FlagSpec): z.ZodType {
  switch (f.type) {
    case 'int': {
      const n = z.number().int().min(f.min ?? 1);
      return (f.max === undefined ? n : n.max(f.max)).describe(f.help);
    }
    case 'number':
      return z.number().min(f.min ?? Number.NEGATIVE_INFINITY).max(f.max ?? Number.POSITIVE_INFINITY).describe(f.help);
    case 'choice':
      return z.enum(f.choices as [string, ...string[]]).describe(f.help);
    case 'bool':
      return z.boolean().describe(f.help);
    case 'list':
      return z.array(z.string().min(1)).describe(f.help);
    default:
      return z.string().min(1).describe(f.help);
  }
}

/** The flags the config file's `defaults` may set, by their config key (`kvDtype` for `--kv-dtype`). */
export const CONFIG_FLAGS: readonly FlagSpec[] = FLAGS.filter((f) => f.config !== undefined);

/** The CLI's own config file: defaults for `vramkit estimate`'s flags and format plugins to load. */
export const CliConfigSchema = z
  .object({
    $schema: z.string().optional(),
    defaults: z
      .object(Object.fromEntries(CONFIG_FLAGS.map((f) => [f.config!, schemaOf(f).optional()])))
      .strict()
      .default({}),
    plugins: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type CliConfig = { defaults: Record<string, unknown>; plugins: string[]; $schema?: string | undefined };

/** Where the config file is looked for, first hit wins. */
export function configCandidates(env: Record<string, string | undefined>, cwd: string): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [...(env.VRAMKIT_CONFIG ? [resolve(cwd, env.VRAMKIT_CONFIG)] : []), join(cwd, 'vramkit.config.json'), join(xdg, 'vramkit', 'config.json')];
}

/**
 * Loads the CLI config: `--config <path>` when given (must exist), else the first of
 * `$VRAMKIT_CONFIG`, `./vramkit.config.json`, `$XDG_CONFIG_HOME/vramkit/config.json` that exists.
 * @throws ConfigValidationError naming the bad field
 */
export async function loadCliConfig(explicit: string | undefined, env: Record<string, string | undefined>, cwd: string): Promise<CliConfig & { path?: string }> {
  const paths = explicit ? [resolve(cwd, explicit)] : configCandidates(env, cwd);
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      if (explicit) throw new VramkitError('INVALID_INPUT', `Cannot read the config file ${path}. Check the path given.`, { path: 'config', cause });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new VramkitError('PARSE_ERROR', `${path} is not valid JSON: ${(cause as Error).message}`, { path: 'config', cause });
    }
    const r = CliConfigSchema.safeParse(json);
    if (!r.success) {
      throw new ConfigValidationError(
        'vramkit config',
        r.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: `${i.message} (in ${path})` })),
      );
    }
    return { ...(r.data as CliConfig), path };
  }
  return CliConfigSchema.parse({}) as CliConfig;
}
