import { VramkitError } from './vramkit-error.js';

/** One problem found while validating an input, with the field it concerns. */
export interface InputIssue {
  path: string;
  message: string;
  received?: unknown;
}

/** A public function received an input it cannot use. `issues` lists every problem found. */
export class InvalidInputError extends VramkitError {
  readonly issues: readonly InputIssue[];

  constructor(issues: readonly InputIssue[], options: { cause?: unknown } = {}) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('INVALID_INPUT', first ? `${first.path}: ${first.message}${more}` : 'Invalid input', {
      path: first?.path,
      cause: options.cause,
    });
    this.name = 'InvalidInputError';
    this.issues = issues;
  }
}
