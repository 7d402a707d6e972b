import type { CommandArgs } from './command.js';
import { UsageError } from './errors.js';

type Values = CommandArgs['values'];

/** A string flag's value, or undefined (the first, for a repeatable flag). */
export function stringFlag(values: Values, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The single model positional, or a usage error naming the command. */
export function modelPositional(args: CommandArgs, command: string): string {
  const [model, ...rest] = args.positionals;
  if (!model)
    throw new UsageError(
      `${command} needs a model: a Hub id, a config.json, or a folder holding one (vramkit ${command} --help)`,
      'model',
    );
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" (vramkit ${command} --help)`, 'argv');
  return model;
}

/** A boolean flag (absent = false). */
export function boolFlag(values: Values, name: string): boolean {
  return values[name] === true;
}
