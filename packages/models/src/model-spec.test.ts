import { estimateInference, storedFormat } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { listCatalogue } from './catalogue/catalogue.js';
import { specFromConfig } from './load-model.js';
import { type ModelSource, type ModelSpec, preparedModelOf } from './model-spec.js';
import { normalizeConfig } from './normalize/normalize-config.js';

const entry = listCatalogue().find((e) => e.id === 'Qwen/Qwen3-0.6B')!;
const local: ModelSource = { kind: 'local', id: 'config.json', files: [], fromCache: false, requests: 0, bytes: 0 };

function configSpec(): ModelSpec {
  return specFromConfig(entry.id, normalizeConfig(entry.config), local);
}

describe('preparedModelOf', () => {
  it('makes one PreparedModel per spec, so its memo is shared by every estimate of the run', () => {
    const spec = configSpec();
    const model = preparedModelOf(spec);
    expect(preparedModelOf(spec)).toBe(model);
    // Another spec of the same config is another model value.
    expect(preparedModelOf(configSpec())).not.toBe(model);
    expect(model).toMatchObject({ kind: 'prepared-model', name: 'Qwen/Qwen3-0.6B', source: 'config' });
  });

  it('keeps a header-read tensor list with its dtypes, so "as stored" costs exactly those bytes', () => {
    const synthesized = configSpec();
    // A GGUF-like inventory: every tensor typed Q8_0 (34 bytes per 32 elements).
    const tensors = synthesized.tensors.map((t) => ({ ...t, dtype: 'Q8_0' }));
    const spec: ModelSpec = { ...synthesized, tensors, inventorySource: 'gguf', quantization: { method: 'gguf' } };
    const model = preparedModelOf(spec);
    expect(model.tensors).toBe(tensors);
    expect(model).toMatchObject({ source: 'gguf', storedDtypes: true, quantization: { method: 'gguf' } });
    const elements = tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(estimateInference({ model, format: storedFormat }).parts.weights?.bytes).toBe((elements / 32) * 34);
  });
});
