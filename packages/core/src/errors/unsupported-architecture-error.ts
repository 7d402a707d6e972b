import { VramkitError } from './vramkit-error.js';

/** The architecture (a `model_type`, or a feature of one) is not modelled. */
export class UnsupportedArchitectureError extends VramkitError {
  readonly modelType: string | undefined;
  readonly known: readonly string[];

  constructor(modelType: string | undefined, known: readonly string[], detail?: string) {
    const what = modelType === undefined ? 'config.json has no "model_type"' : `Unsupported model_type "${modelType}"`;
    super(
      'UNSUPPORTED_ARCHITECTURE',
      `${what}${detail ? ` (${detail})` : ''}. Known: ${known.join(', ')}. Pass a config with one of these model types.`,
      { path: 'config.model_type' },
    );
    this.name = 'UnsupportedArchitectureError';
    this.modelType = modelType;
    this.known = known;
  }
}
