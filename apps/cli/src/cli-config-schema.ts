import { z } from 'zod';
import { CONFIG_FLAGS } from './config-file.js';
import type { FlagSpec } from './flag-spec.js';

/** The config file's type for one flag, from the flag table (the same rule the command line reads it by). */
function schemaOf(f: FlagSpec): z.ZodType {
  switch (f.type) {
    case 'int': {
      const n = z
        .number()
        .int()
        .min(f.min ?? 1);
      return (f.max === undefined ? n : n.max(f.max)).describe(f.help);
    }
    case 'number':
      return z
        .number()
        .min(f.min ?? Number.NEGATIVE_INFINITY)
        .max(f.max ?? Number.POSITIVE_INFINITY)
        .describe(f.help);
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

/** The CLI's own config file: defaults for `vramkit estimate`'s flags (keys from the flag table) and format plugins to load. */
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

/** A loaded config: `defaults` by config key (`context`, `kvDtype`, …), plugin specifiers in order. */
export interface CliConfig {
  $schema?: string | undefined;
  defaults: Record<string, unknown>;
  plugins: string[];
}
