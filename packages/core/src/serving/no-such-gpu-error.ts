import { VramkitError } from '../errors/vramkit-error.js';
import { excerpt } from '../validate.js';

/** A GPU id that the catalogue does not hold. `suggestions` lists the closest ids. */
export class NoSuchGpuError extends VramkitError {
  readonly gpuId: string;
  readonly suggestions: readonly string[];

  constructor(gpuId: string, suggestions: readonly string[], path = 'gpu') {
    const hint = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
    super(
      'NO_SUCH_GPU',
      `Unknown GPU ${excerpt(gpuId)}.${hint} Pick an id of the GPU catalogue (GPUS), or give an exact capacity such as 23.58GiB.`,
      { path },
    );
    this.name = 'NoSuchGpuError';
    this.gpuId = gpuId;
    this.suggestions = suggestions;
  }
}
