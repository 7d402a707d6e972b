import type { Architecture } from './architecture.js';
import { validateArchitecture } from './architecture-schema.js';
import { countParameters, type ParameterBreakdown } from './parameters.js';
import { synthesizeTensors } from './synthesize-tensors.js';
import type { Tensor } from './tensor.js';
import { type FormatContext, type WeightBytesBreakdown, type WeightFormat, weightBytes } from './weight-format.js';

/** An architecture with its inventory and parameter count computed once, for repeated estimates. */
export interface PreparedModel {
  readonly kind: 'prepared-model';
  readonly arch: Architecture;
  readonly tensors: readonly Tensor[];
  readonly parameters: ParameterBreakdown;
  /** Where the inventory came from: synthesized from the config, or read from a checkpoint header. */
  readonly inventorySource: 'synthesized' | 'safetensors' | 'gguf';
  /** Weight bytes in a format, memoized per format object. */
  weightsIn(format: WeightFormat): WeightBytesBreakdown;
}

/**
 * Validates an architecture, synthesizes its tensor inventory (unless one is given from a
 * checkpoint header) and counts its parameters, once.
 * @param arch a normalized architecture (from `@vramkit/models`, or built by hand)
 * @param options.tensors an inventory read from safetensors or GGUF headers, which then wins
 * @throws InvalidInputError when the architecture is malformed
 */
export function prepareModel(
  arch: Architecture,
  options: { tensors?: readonly Tensor[]; inventorySource?: 'safetensors' | 'gguf' } = {},
): PreparedModel {
  validateArchitecture(arch);
  const tensors = options.tensors ?? synthesizeTensors(arch);
  const parameters = countParameters(tensors, arch);
  const ctx: FormatContext = { arch, numLayers: arch.layers.length };
  const memo = new WeakMap<WeightFormat, WeightBytesBreakdown>();
  return {
    kind: 'prepared-model',
    arch,
    tensors,
    parameters,
    inventorySource: options.tensors ? (options.inventorySource ?? 'safetensors') : 'synthesized',
    weightsIn(format) {
      let w = memo.get(format);
      if (!w) {
        w = weightBytes(tensors, format, ctx);
        memo.set(format, w);
      }
      return w;
    },
  };
}

/** True for the result of {@link prepareModel}. */
export function isPreparedModel(value: unknown): value is PreparedModel {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'prepared-model';
}
