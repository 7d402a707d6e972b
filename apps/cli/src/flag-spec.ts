import type { EngineId } from '@vramkit/core';

/** Every `vramkit <command>` name. */
export type CommandName =
  | 'estimate'
  | 'fit'
  | 'compare'
  | 'gpus'
  | 'inspect'
  | 'models'
  | 'plan'
  | 'quant'
  | 'schema'
  | 'cache';

/** The two modes of `estimate` (`plan` is train only; every other command is infer). */
export type Mode = 'infer' | 'train';

/** An engine, or `none`: an estimate without `--engine` (the engine-neutral inference model). */
export type EngineScope = EngineId | 'none';

/** Where a flag applies inside one command: modes and engines (absent = all). */
export interface FlagScope {
  modes?: readonly Mode[];
  engines?: readonly EngineScope[];
}

/** The library inputs a flag feeds, each with the dotted field it sets there. */
export type Consumer = 'inference' | 'serving' | 'training' | 'hub';

/** How a flag's text is read. */
export type FlagType = 'string' | 'int' | 'number' | 'bytes' | 'choice' | 'bool' | 'list';

/** Help sections, in the order `--help` prints them. */
export type FlagSection = 'options' | 'engine' | 'llama.cpp' | 'vllm' | 'training' | 'hub';

/**
 * One flag, declared once: parsing, `--help`, validation, did-you-mean, the config file schema,
 * option building and the mapping from library error paths to flag names all read this.
 */
export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  /** One-letter short flag (`-c`). */
  short?: string;
  /** Other spellings: llama.cpp's multi-letter shorts (`-ngl`), or long synonyms (`--llamacpp-…`). */
  aliases?: readonly string[];
  type: FlagType;
  /** What a number counts (`tokens`, `seconds`), for help and messages. */
  unit?: string;
  /** The default as help states it (the packages apply it; the CLI never does). */
  default?: string;
  /** int/number bounds (int default min 1). */
  min?: number;
  max?: number;
  /** choice: allowed words; list: allowed items (optional). */
  choices?: readonly string[];
  /** choice: other spellings mapped to an allowed word (`params` → `optimizer+params`). */
  synonyms?: Readonly<Record<string, string>>;
  /** list: the type of each item (default string). */
  item?: 'string' | 'int' | 'number';
  /** list: separator (default a comma). */
  separator?: RegExp;
  /** May be repeated (`--gpu a --gpu b`); values accumulate. */
  multiple?: boolean;
  /** bool: the value set in option objects (default `true`). */
  value?: unknown;
  /** Multiplier applied to the number before it is set (seconds → milliseconds). */
  scale?: number;
  /** Placeholder in help (`<tokens>`). */
  arg?: string;
  help: string;
  section: FlagSection;
  /** The commands that accept the flag, each with the modes and engines where it applies. */
  accepts: Partial<Record<CommandName, FlagScope | readonly FlagScope[]>>;
  /** The library fields it sets, per consumer (`llamaCpp.ctxSize`); errors on these paths name the flag. */
  to?: Partial<Record<Consumer, string>>;
  /** Other library error paths this flag answers for (`format` for `--quant`), without setting them. */
  errorPaths?: readonly string[];
  /** What to use instead where the flag does not apply, by engine (`none`: no `--engine`) or `train`. */
  instead?: Partial<Record<EngineScope | 'train', string>>;
  /** Key under the config file's `defaults` (then a default for `vramkit estimate`). */
  config?: string;
}
