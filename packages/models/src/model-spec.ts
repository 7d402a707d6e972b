import {
  type Architecture,
  type PreparedModel,
  prepareModel,
  type StoredQuantization,
  type Tensor,
} from '@vramkit/core';
import type { HubRequestLog } from './hub/hub-transport.js';

/** Where a {@link ModelSpec} came from and what loading it cost. */
export interface ModelSource {
  /** `hub`: config (+ headers) from the Hub; `gguf`: a GGUF header; `local`: a file; `catalogue`: the embedded snapshot. */
  kind: 'hub' | 'gguf' | 'local' | 'catalogue';
  /** Hub id or file path. */
  id: string;
  /** The revision asked for (`main` when none was given). */
  revision?: string;
  /** The commit sha it resolved to, when the Hub said. */
  sha?: string;
  /** The Hub endpoint used (`HF_ENDPOINT`). */
  endpoint?: string;
  /** Files and APIs read, in order (`config.json`, `/api/models/…`, `model-00001-of-00004.safetensors`). */
  files: string[];
  /** True when everything came from the cache (no request sent). */
  fromCache: boolean;
  /** HTTP requests sent and body bytes received (0 when offline). */
  requests: number;
  bytes: number;
  /** Each request, for `--verbose` and tests. */
  log?: readonly HubRequestLog[];
}

/** Parameter counts from each source that was read, so disagreement is visible rather than hidden. */
export interface ParameterSources {
  /** Counted from the tensors synthesized from the config (checkpoint total, MTP included). */
  synthesized: number;
  /** The Hub's safetensors total (`/api/models/{id}?expand[]=safetensors`), when available. */
  hubSafetensors?: number;
  /** Counted from safetensors headers (`--exact`, or an unknown architecture). */
  safetensorsHeaders?: number;
  /** Counted from a GGUF header (converter-derived tensors such as `rope_freqs` excluded). */
  gguf?: number;
  /** Vision/audio towers and projectors of a multimodal checkpoint (not in the text model's count). */
  nonText?: number;
  /** True when every source read agrees with the synthesized count (text model only). */
  agree: boolean;
}

/** How the weights are stored when not plain 16-bit: core's {@link StoredQuantization}, one type for both packages. */
export type ModelQuantization = StoredQuantization;

/**
 * A model ready for estimation: normalized architecture, exact tensor inventory (with stored dtypes
 * when read from a header), quantization, and provenance.
 */
export interface ModelSpec {
  /** Hub id or path as given. */
  id: string;
  architecture: Architecture;
  /** The inventory: from a GGUF header, safetensors headers, or synthesized from the config. */
  tensors: readonly Tensor[];
  inventorySource: 'synthesized' | 'safetensors' | 'gguf';
  quantization?: ModelQuantization;
  /** `torch_dtype` of the checkpoint when the config says. */
  checkpointDtype?: string;
  parameters: ParameterSources;
  source: ModelSource;
  /** Notices for the user: fallbacks taken, counts that disagree, generic mappings used. */
  warnings: string[];
}

const prepared = new WeakMap<ModelSpec, PreparedModel>();

/**
 * The loaded model as core's one model value: the architecture with the tensor list the loader read
 * (GGUF or safetensors header, else synthesized from the config), its origin, the stored
 * quantization and the id as name. Every estimate (inference, serving, training) takes this. Made
 * once per spec: asking again returns the same value, so what it has computed (its memo) is shared.
 * @param spec what `loadModel`, `loadLocalGguf` or `resolveModelArgument` returned
 * @returns the spec's `PreparedModel`
 * @throws InvalidInputError when the architecture is malformed
 */
export function preparedModelOf(spec: ModelSpec): PreparedModel {
  let model = prepared.get(spec);
  if (!model) {
    const origin = spec.inventorySource;
    model = prepareModel(spec.architecture, {
      ...(origin === 'synthesized' ? { source: 'config' as const } : { tensors: spec.tensors, source: origin }),
      ...(spec.quantization ? { quantization: spec.quantization } : {}),
      name: spec.id,
    });
    prepared.set(spec, model);
  }
  return model;
}
