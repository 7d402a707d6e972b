import type { FlagContext } from './flag-parse.js';

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** stderr is a terminal: progress lines may be drawn. */
  isTTY?: boolean;
}

/** parseArgs options of a command, derived from the flag table. */
export type CommandOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Parsed command line of one command: positionals and flag values (as typed; the flag table reads them). */
export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/**
 * One `vramkit <name>` subcommand. Its flags come from the flag table (`flag-table.ts`); `options`
 * is their parseArgs form. `run` returns the exit code. Commands only parse, call the packages and
 * render: no formulas here.
 */
export interface Command {
  name: string;
  summary: string;
  /** Usage lines and a description; `vramkit <name> --help` appends the table's options. */
  help: string;
  options: CommandOptions;
  /** The most positional arguments the command takes (more are an error before it runs). */
  maxPositionals?: number;
  /** The mode and engines a command line runs under, which decide where flags apply (default: inference, no engine). */
  flagContext?(values: CommandArgs['values']): FlagContext;
  run(args: CommandArgs, io: Io): Promise<number> | number;
}
