import type { Architecture } from './architecture.js';
import { validateArchitecture } from '../architecture-schema.js';
import type { BreakdownPart } from '../memory/breakdown.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { countParameters, type ParameterBreakdown } from './parameters.js';
import { synthesizeTensors } from './synthesize-tensors.js';
import type { Tensor } from './tensor.js';
import {
  type FormatContext,
  type WeightBytesBreakdown,
  type WeightFormat,
  weightBytes,
} from '../formats/weight-format.js';

/** Where a prepared model's tensor list came from: synthesized from the config, or read from a file header. */
export type ModelOrigin = 'config' | 'safetensors' | 'gguf';

/** How a checkpoint stores its weights when not plain 16-bit: a GGUF file type, or a config's `quantization_config`. */
export interface StoredQuantization {
  /** `gguf`, or `quantization_config.quant_method` (`gptq`, `awq`, `bitsandbytes`, `fp8`, `mxfp4`, …). */
  method: string;
  /** GGUF file type (`Q4_K_M`) from `general.file_type` or the file name. */
  fileType?: string;
  /** Bytes of tensor data in the GGUF file(s), exact from the header. */
  dataBytes?: number;
  /** The raw `quantization_config`, for `@vramkit/quant` to pick the format. */
  config?: Record<string, unknown>;
}

/**
 * What a prepared model has computed so far, kept in one visible place: weight bytes per format
 * object and the weights part of a breakdown per weight breakdown. Both are weak maps, so formats
 * made per call (a family's `create`) do not pile up.
 */
export interface PreparedModelMemo {
  readonly weights: WeakMap<WeightFormat, WeightBytesBreakdown>;
  readonly weightParts: WeakMap<WeightBytesBreakdown, BreakdownPart>;
}

/**
 * The one model value every estimate takes (inference, serving, training): the architecture, its
 * tensor list wherever it came from, the parameter count, the stored quantization, and the memo of
 * what has been computed for it.
 */
export interface PreparedModel {
  readonly kind: 'prepared-model';
  /** A display name (Hub id or path) when the loader gave one. */
  readonly name?: string;
  readonly arch: Architecture;
  /** The tensor list: read from a GGUF or safetensors header (with stored dtypes), or synthesized from the config. */
  readonly tensors: readonly Tensor[];
  readonly parameters: ParameterBreakdown;
  /** Where the tensor list came from. */
  readonly source: ModelOrigin;
  /** The same as {@link source}, with `synthesized` for `config` (the name earlier versions used). */
  readonly inventorySource: 'synthesized' | 'safetensors' | 'gguf';
  /** How the checkpoint stores its weights, when it says (GGUF file type, `quantization_config`). */
  readonly quantization?: StoredQuantization;
  /**
   * True when every tensor carries the dtype its file header states, so core's `storedFormat`
   * ("as stored") gives the exact weight bytes.
   */
  readonly storedDtypes: boolean;
  /** Weight bytes per format and breakdown parts computed so far. */
  readonly memo: PreparedModelMemo;
  /** Weight bytes in a format, memoized per format object in {@link memo}. */
  weightsIn(format: WeightFormat): WeightBytesBreakdown;
}

/** Options of {@link prepareModel}. */
export interface PrepareModelOptions {
  /** A tensor list read from safetensors or GGUF headers, which then wins over synthesis. */
  tensors?: readonly Tensor[];
  /** Where `tensors` came from; default `safetensors` when tensors are given, `config` otherwise. */
  source?: ModelOrigin;
  /** @deprecated use `source`; `synthesized` means `config`. */
  inventorySource?: 'synthesized' | 'safetensors' | 'gguf';
  quantization?: StoredQuantization;
  name?: string;
}

/**
 * Validates an architecture, synthesizes its tensor list (unless one is given from a checkpoint
 * header) and counts its parameters, once.
 * @param arch a normalized architecture (from `@vramkit/models`, or built by hand)
 * @param options the header-read tensor list, its origin, the stored quantization and a name
 * @returns the prepared model
 * @throws InvalidInputError when the architecture is malformed, or `source` is not config/safetensors/gguf
 *   or says `config` while giving a tensor list
 */
export function prepareModel(arch: Architecture, options: PrepareModelOptions = {}): PreparedModel {
  validateArchitecture(arch);
  const legacy = options.inventorySource === 'synthesized' ? 'config' : options.inventorySource;
  const source: ModelOrigin = options.source ?? legacy ?? (options.tensors ? 'safetensors' : 'config');
  if (source !== 'config' && source !== 'safetensors' && source !== 'gguf') {
    throw new InvalidInputError([
      { path: 'source', message: `must be config, safetensors or gguf, got ${String(source)}`, received: source },
    ]);
  }
  if (source === 'config' && options.tensors) {
    throw new InvalidInputError([
      { path: 'source', message: 'is config, but a tensor list read from a file was given; say safetensors or gguf' },
    ]);
  }
  const tensors = options.tensors ?? synthesizeTensors(arch);
  const parameters = countParameters(tensors, arch);
  const ctx: FormatContext = { arch, numLayers: arch.layers.length };
  const memo: PreparedModelMemo = { weights: new WeakMap(), weightParts: new WeakMap() };
  return {
    kind: 'prepared-model',
    ...(options.name !== undefined ? { name: options.name } : {}),
    arch,
    tensors,
    parameters,
    source,
    inventorySource: source === 'config' ? 'synthesized' : source,
    ...(options.quantization ? { quantization: options.quantization } : {}),
    storedDtypes: source !== 'config' && tensors.length > 0 && tensors.every((t) => t.dtype !== undefined),
    memo,
    weightsIn(format) {
      let w = memo.weights.get(format);
      if (!w) {
        w = weightBytes(tensors, format, ctx);
        memo.weights.set(format, w);
      }
      return w;
    },
  };
}

/** True for the result of {@link prepareModel}. */
export function isPreparedModel(value: unknown): value is PreparedModel {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'prepared-model';
}
