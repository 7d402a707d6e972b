import type { Command } from '../command.js';
import { estimateCommand } from './estimate.js';
import { inspectCommand } from './inspect.js';
import { modelsCommand } from './models.js';
import { schemaCommand } from './schema.js';

/** Every subcommand, in the order `vramkit --help` lists them. Add a command by adding a line here. */
export const commands: readonly Command[] = [estimateCommand, inspectCommand, modelsCommand, schemaCommand];
