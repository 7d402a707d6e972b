import type { Command } from '../command.js';
import { cacheCommand } from './cache.js';
import { compareCommand } from './compare.js';
import { estimateCommand } from './estimate.js';
import { fitCommand } from './fit.js';
import { gpusCommand } from './gpus.js';
import { inspectCommand } from './inspect.js';
import { modelsCommand } from './models.js';
import { planCommand } from './plan.js';
import { quantCommand } from './quant.js';
import { schemaCommand } from './schema.js';

/** Every subcommand, in the order `vramkit --help` lists them. Add a command by adding a line here. */
export const commands: readonly Command[] = [
  estimateCommand,
  fitCommand,
  compareCommand,
  gpusCommand,
  inspectCommand,
  modelsCommand,
  planCommand,
  quantCommand,
  schemaCommand,
  cacheCommand,
];
