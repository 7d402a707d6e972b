export type { Command, CommandArgs, Io } from './command.js';
export { commands } from './commands/index.js';
export { type CliConfig, CliConfigSchema } from './cli-config-schema.js';
export { loadCliConfig } from './config-file.js';
export { main } from './main.js';
export { EstimateOutputSchema, InspectOutputSchema, outputSchemas } from './output-schema.js';
