import type { Architecture } from '@vramkit/core';
import type { HarnessFamily } from './families.js';
import { type HarnessRecord, type HarnessRun, measure, runtimeVersion } from './runtime.js';
import { type HarnessTensor, harnessModel } from './sparse-gguf.js';

/** One fixture file: the model as written, the runtime that loaded it, and what it reported per context. */
export interface LlamaCppFixture {
  id: string;
  config: string;
  note: string;
  /** Decoder layers written (fewer than the config's when the family caps them; see HarnessFamily.layers). */
  layers: number;
  configLayers: number;
  runtime: { nodeLlamaCpp: string; llamaCpp: string; backend: 'CPU' };
  ggufArchitecture: string;
  architecture: Architecture;
  tensors: HarnessTensor[];
  /** `load_tensors: <buffer> model buffer size` in MiB as printed, and whether llama.cpp disabled SWA. */
  modelMib: Record<string, string>;
  swaDisabled: boolean;
  runs: HarnessRecord[];
}

/** The config with only its first `layers` decoder layers (per-layer lists cut to match). */
function capLayers(config: Record<string, unknown>, layers: number | undefined): Record<string, unknown> {
  if (!layers) return config;
  const cut = (c: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...c, num_hidden_layers: layers };
    if (Array.isArray(c.layer_types)) out.layer_types = c.layer_types.slice(0, layers);
    if (Array.isArray(c.no_rope_layers)) out.no_rope_layers = c.no_rope_layers.slice(0, layers);
    return out;
  };
  const out = cut(config);
  if (config.text_config) out.text_config = cut(config.text_config as Record<string, unknown>);
  return out;
}

/** Writes, loads and measures one family over `grid`. */
export async function measureFamily(
  f: HarnessFamily,
  config: Record<string, unknown>,
  grid: readonly HarnessRun[],
): Promise<LlamaCppFixture> {
  const model = harnessModel(f.config, capLayers(config, f.layers));
  const text = (config.text_config as Record<string, unknown> | undefined) ?? config;
  const load = await measure(model, grid);
  return {
    id: f.id,
    config: f.config,
    note: f.note,
    layers: model.architecture.layers.length,
    configLayers: Number(text.num_hidden_layers ?? text.n_layer),
    runtime: { ...runtimeVersion(), backend: 'CPU' },
    ggufArchitecture: model.ggufArchitecture,
    architecture: model.architecture,
    tensors: model.tensors,
    modelMib: load.modelMib,
    swaDisabled: load.swaDisabled,
    runs: load.records,
  };
}
