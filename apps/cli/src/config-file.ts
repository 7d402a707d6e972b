import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigValidationError, VramkitError } from '@vramkit/core';
import { z } from 'zod';

/** The CLI's own config file: defaults for flags and format plugins to load. */
export const CliConfigSchema = z
  .object({
    $schema: z.string().optional(),
    defaults: z
      .object({
        context: z.number().int().positive().optional(),
        batch: z.number().int().positive().optional(),
        quant: z.string().min(1).optional(),
        kvDtype: z.string().min(1).optional(),
        attention: z.enum(['flash', 'naive']).optional(),
      })
      .strict()
      .default({}),
    plugins: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type CliConfig = z.infer<typeof CliConfigSchema>;

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
      if (explicit) throw new VramkitError('INVALID_INPUT', `Cannot read the config file ${path}. Check the --config path.`, { path: 'config', cause });
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
    return { ...r.data, path };
  }
  return CliConfigSchema.parse({});
}
