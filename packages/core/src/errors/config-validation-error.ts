import type { InputIssue } from './invalid-input-error.js';
import { VramkitError } from './vramkit-error.js';

/** A model `config.json` lacks a field the architecture needs, or holds a value that cannot be right. */
export class ConfigValidationError extends VramkitError {
  readonly issues: readonly InputIssue[];
  readonly modelType: string | undefined;

  constructor(modelType: string | undefined, issues: readonly InputIssue[], options: { cause?: unknown } = {}) {
    const first = issues[0];
    const subject = modelType ? `config.json (model_type "${modelType}")` : 'config.json';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('CONFIG_VALIDATION', `${subject}: ${first ? `${first.path}: ${first.message}` : 'invalid'}${more}`, {
      path: first ? `config.${first.path}` : 'config',
      cause: options.cause,
    });
    this.name = 'ConfigValidationError';
    this.issues = issues;
    this.modelType = modelType;
  }
}
