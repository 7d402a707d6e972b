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
