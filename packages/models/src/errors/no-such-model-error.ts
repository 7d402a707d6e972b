import { VramkitError } from '@vramkit/core';

/** A model id that is neither a local config nor in the embedded catalogue (and could not be fetched). */
export class NoSuchModelError extends VramkitError {
  readonly modelId: string;
  readonly suggestions: readonly string[];

  constructor(
    modelId: string,
    suggestions: readonly string[],
    hint = 'pass a path to a config.json, or a Hub id from `vramkit models`',
  ) {
    const did = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
    super('NO_SUCH_MODEL', `No model "${modelId}" in the embedded catalogue.${did} Otherwise ${hint}.`, {
      path: 'model',
    });
    this.name = 'NoSuchModelError';
    this.modelId = modelId;
    this.suggestions = suggestions;
  }
}
