import { VramkitError } from './vramkit-error.js';

/** A weight or KV-cache format id that no registry knows. */
export class NoSuchFormatError extends VramkitError {
  readonly formatId: string;
  readonly known: readonly string[];

  constructor(formatId: string, known: readonly string[], path = 'format') {
    super('NO_SUCH_FORMAT', `Unknown format "${formatId}". Known: ${known.join(', ')}`, { path });
    this.name = 'NoSuchFormatError';
    this.formatId = formatId;
    this.known = known;
  }
}
