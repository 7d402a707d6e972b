import { VramkitError } from '@vramkit/core';

/** A command-line usage problem (unknown flag, missing argument, bad value). Exit code 2. */
export class UsageError extends VramkitError {
  constructor(message: string, path = 'argv') {
    super('INVALID_INPUT', message, { path });
    this.name = 'UsageError';
  }
}

/** One line for the terminal: the message, and the field when the message does not already name it. */
export function oneLine(error: unknown): string {
  if (VramkitError.isInstance(error)) {
    const msg = error.message.replace(/\s+/g, ' ').trim();
    return `vramkit: ${msg}`;
  }
  const msg = error instanceof Error ? error.message : String(error);
  return `vramkit: unexpected error: ${msg.replace(/\s+/g, ' ')}`;
}
