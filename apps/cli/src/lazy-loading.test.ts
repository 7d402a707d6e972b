import { describe, expect, it } from 'vitest';
import { CliConfigSchema } from './cli-config-schema.js';
import { EMPTY_CLI_CONFIG, loadCliConfig } from './config-file.js';

describe('CLI config without a file', () => {
  it('is what the schema makes of {}, without loading the schema', async () => {
    expect(EMPTY_CLI_CONFIG).toEqual(CliConfigSchema.parse({}));
    expect(
      await loadCliConfig(undefined, { HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' }, '/nonexistent'),
    ).toEqual(CliConfigSchema.parse({}));
  });
});

describe('vramkit schema', () => {
  it('names in its help exactly the schemas it prints', async () => {
    const [{ OUTPUT_SCHEMA_NAMES }, { outputSchemas }] = await Promise.all([
      import('./commands/schema.js'),
      import('./output-schema.js'),
    ]);
    expect([...OUTPUT_SCHEMA_NAMES].sort()).toEqual(Object.keys(outputSchemas).sort());
  });
});
