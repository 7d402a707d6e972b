import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Architecture } from '../../model/architecture.js';
import { type PreparedModel, prepareModel } from '../../model/prepare-model.js';
import { ggmlTensorBytes } from '../../model/ggml-types.js';
import type { Tensor } from '../../model/tensor.js';
import type { WeightFormat } from '../../formats/weight-format.js';

/** One context llama.cpp created (or refused) in the harness (validation/llama-cpp). */
export interface FixtureRun {
  run: { nCtx: number; nSeqMax: number; nUbatch: number; flashAttn: 'on' | 'off' | 'auto'; typeK: string; typeV: string };
  nCtx?: number;
  nCtxSeq?: number;
  flashAttn?: boolean;
  kv?: { mib: string; cells: number; layers: number; seqs: number; kMib: string; vMib: string }[];
  computeMib?: Record<string, string>;
  outputMib?: Record<string, string>;
  error?: string;
}

/** A fixture file written by validation/llama-cpp/regenerate.ts. */
export interface LlamaCppFixture {
  id: string;
  config: string;
  note: string;
  layers: number;
  configLayers: number;
  runtime: { nodeLlamaCpp: string; llamaCpp: string; backend: 'CPU' };
  ggufArchitecture: string;
  architecture: Architecture;
  tensors: { name: string; ne: number[]; type: string }[];
  modelMib: Record<string, string>;
  swaDisabled: boolean;
  runs: FixtureRun[];
}

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'llama-cpp');

/** Every recorded fixture, by id. */
export function llamaCppFixtures(dir = DIR): LlamaCppFixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as LlamaCppFixture);
}

/** "As the file stores it": each tensor's own ggml type, from core's ggml table. */
export const asStored: WeightFormat = {
  specVersion: 'v1',
  id: 'gguf-as-stored',
  description: 'each tensor in the ggml type of the GGUF file',
  bytesForTensor(t: Tensor) {
    return { bytes: ggmlTensorBytes(t.dtype!, t.shape), type: t.dtype! };
  },
};

/** The fixture's model as a prepared model carrying the file's tensors (GGUF names, layers, types). */
export function fixtureModel(f: LlamaCppFixture): PreparedModel {
  const tensors: Tensor[] = f.tensors.map((t) => {
    const m = /^blk\.(\d+)\.(.+?)\.(weight|bias)$/.exec(t.name);
    const base = m ? m[2]! : t.name.replace(/\.(weight|bias)$/, '');
    const role = (['token_embd', 'output', 'output_norm'].includes(base) ? base : 'other') as Tensor['role'];
    const shape = [...t.ne].reverse();
    const tensor: Tensor = { name: t.name, role, kind: shape.length <= 1 ? 'vector' : 'weight', shape, dtype: t.type };
    if (m) tensor.layer = Number(m[1]);
    return tensor;
  });
  return prepareModel(f.architecture, { tensors, inventorySource: 'gguf' });
}
