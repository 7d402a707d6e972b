import { VramkitError } from '@vramkit/core';
import { flagForPath, inCliTerms, inFlagTerms } from './flag-paths.js';
import { flagSpec } from './flag-table.js';

/** A command-line usage problem (unknown flag, missing argument, bad value). Exit code 2. */
export class UsageError extends VramkitError {
  constructor(message: string, path = 'argv') {
    super('INVALID_INPUT', message, { path });
    this.name = 'UsageError';
  }
}

/** An error as the CLI reports it: a stable code, the library's field path, the flag it maps to, a message naming the flag. */
export interface ReportedError {
  code: string;
  path?: string;
  /** The flag that sets `path` (`workload.context` → `--context`), when one does. */
  flag?: string;
  message: string;
}

/**
 * Describes an error in the CLI's terms: a library error's field path is mapped to the flag that sets
 * it, and the message names the flag instead of the path (`workload.context: …` → `--context: …`).
 */
export function reportError(error: unknown): ReportedError {
  if (!VramkitError.isInstance(error)) {
    const msg = error instanceof Error ? error.message : String(error);
    return { code: 'INTERNAL', message: `unexpected error: ${msg.replace(/\s+/g, ' ')}` };
  }
  let message = inFlagTerms(
    error.message.replace(/\s+/g, ' ').trim(),
    (error as { remedyPaths?: readonly string[] }).remedyPaths,
  );
  const path = error.path;
  const flag = error instanceof UsageError ? (path && flagSpec(path) ? `--${path}` : undefined) : flagForPath(path);
  if (flag && path && !(error instanceof UsageError)) {
    // A dotted path is the library's field name (`workload.context`): say the flag instead. A bare word
    // (`format`) is only replaced where it leads the message as a field, not inside the prose.
    if (message.startsWith(`${path}: `)) message = `${flag}: ${message.slice(path.length + 2)}`;
    else if (path.includes('.') && message.includes(path)) message = message.split(path).join(flag);
    else if (!message.includes(flag)) message = `${flag}: ${message}`;
    // "--ctx-size: --ctx-size 2 is smaller …": the message already names the flag.
    if (message.startsWith(`${flag}: `) && message.slice(flag.length + 2).includes(flag))
      message = message.slice(flag.length + 2);
  }
  // Other fields the library names in its advice (`set parallel.zero to 3`) are flags on the command line too.
  if (!(error instanceof UsageError)) message = inCliTerms(message);
  return { code: error.code, ...(path ? { path } : {}), ...(flag ? { flag } : {}), message };
}

/** One line for the terminal. */
export function oneLine(error: unknown): string {
  return `vramkit: ${reportError(error).message}`;
}

/** The `--json` form of an error: `{ "error": { code, path, flag?, message } }`. */
export function errorJson(error: unknown): string {
  return `${JSON.stringify({ error: reportError(error) }, null, 2)}\n`;
}
