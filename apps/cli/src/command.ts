import type { ParseArgsConfig } from 'node:util';

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** stderr is a terminal: progress lines may be drawn. */
  isTTY?: boolean;
}

/** Parsed command line of one command: positionals and flag values. */
export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/**
 * One `vramkit <name>` subcommand. `options` uses node:util parseArgs syntax; `run` returns the
 * exit code. Commands only parse, call the packages and render: no formulas here.
 */
export interface Command {
  name: string;
  summary: string;
  /** Usage lines and option descriptions printed by `vramkit <name> --help`. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: CommandArgs, io: Io): Promise<number> | number;
}
