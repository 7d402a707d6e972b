import { parseBytes } from '@vramkit/core';
import type { CommandArgs } from './command.js';
import { UsageError } from './errors.js';

type Values = CommandArgs['values'];

/** A string flag's value, or undefined. */
export function stringFlag(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A whole-number flag (`--context 32768`, also `32k`), or undefined when absent. */
export function intFlag(values: Values, name: string, min = 1): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const m = /^(\d+)(k|K)?$/.exec(raw.trim().replace(/_/g, ''));
  const n = m ? Number(m[1]) * (m[2] ? 1024 : 1) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min} (got "${raw}")`, name);
  return n;
}

/** A decimal flag within [min, max], or undefined. */
export function numberFlag(values: Values, name: string, min: number, max: number): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number between ${min} and ${max} (got "${raw}")`, name);
  return n;
}

/** A size flag (`512MiB`, `23.58GiB`, `80GB`), or undefined. */
export function bytesFlag(values: Values, name: string): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const n = parseBytes(raw);
  if (n === undefined) throw new UsageError(`--${name} must be a size such as 512MiB, 23.58GiB or 80GB (got "${raw}"; "G" alone is ambiguous)`, name);
  return n;
}

/** One of the allowed words, or undefined. */
export function choiceFlag<T extends string>(values: Values, name: string, allowed: readonly T[]): T | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${raw}")`, name);
  return raw as T;
}

/** The single model positional, or a usage error naming the command. */
export function modelPositional(args: CommandArgs, command: string): string {
  const [model, ...rest] = args.positionals;
  if (!model) throw new UsageError(`${command} needs a model: a Hub id, a config.json, or a folder holding one (vramkit ${command} --help)`, 'model');
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" (vramkit ${command} --help)`, 'argv');
  return model;
}

/** A boolean flag (absent = false). */
export function boolFlag(values: Values, name: string): boolean {
  return values[name] === true;
}
