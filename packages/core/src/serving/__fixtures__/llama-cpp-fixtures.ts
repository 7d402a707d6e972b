import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlamaCppFixture } from '../../../../../validation/llama-cpp/fixture.js';
import { type PreparedModel, prepareModel } from '../../model/prepare-model.js';
import { ggmlTensorBytes } from '../../model/ggml-types.js';
import type { Tensor } from '../../model/tensor.js';
import type { WeightFormat } from '../../formats/weight-format.js';

// The fixture's shape is declared once, by its writer (validation/llama-cpp/fixture.ts); this reader
// imports the type only, so nothing of the harness runs here.
export type { LlamaCppFixture } from '../../../../../validation/llama-cpp/fixture.js';

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
