import { describe, expect, it } from 'vitest';
import { llama3_8b } from '../__fixtures__/architectures.js';
import { estimateInference } from '../inference/estimate-inference.js';
import { isPreparedModel, prepareModel } from './prepare-model.js';
import { storedFormat } from './stored-format.js';
import { synthesizeTensors } from './synthesize-tensors.js';
import { plainFormats } from '../formats/weight-format.js';

describe('prepareModel', () => {
  it('synthesizes the tensor list from the config and says so: source config, no stored dtypes', () => {
    const m = prepareModel(llama3_8b);
    expect(isPreparedModel(m)).toBe(true);
    expect(m.source).toBe('config');
    expect(m.inventorySource).toBe('synthesized');
    expect(m.storedDtypes).toBe(false);
    expect(m.parameters.total).toBe(8_030_261_248);
  });

  it('keeps a GGUF tensor list with its types, its quantization, and sizes it as stored', () => {
    const tensors = synthesizeTensors(llama3_8b).map((t) => ({ ...t, dtype: t.shape.length === 1 ? 'F32' : 'Q8_0' }));
    const m = prepareModel(llama3_8b, {
      tensors,
      source: 'gguf',
      quantization: { method: 'gguf', fileType: 'Q8_0' },
      name: 'x/y-GGUF',
    });
    expect(m).toMatchObject({
      source: 'gguf',
      inventorySource: 'gguf',
      storedDtypes: true,
      name: 'x/y-GGUF',
      quantization: { fileType: 'Q8_0' },
    });
    const e = estimateInference({ model: m, format: storedFormat });
    expect(Object.keys(e.weights.byType).sort()).toEqual(['F32', 'Q8_0']);
    expect(e.parts.weights?.bytes).toBe(m.weightsIn(storedFormat).total);
  });

  it('memoizes weight bytes per format in its visible memo', () => {
    const m = prepareModel(llama3_8b);
    expect(m.memo.weights.has(plainFormats.bf16)).toBe(false);
    const a = m.weightsIn(plainFormats.bf16);
    expect(m.memo.weights.get(plainFormats.bf16)).toBe(a);
    expect(m.weightsIn(plainFormats.bf16)).toBe(a);
    estimateInference({ model: m });
    expect(m.memo.weightParts.get(a)?.bytes).toBe(a.total);
  });

  it('refuses a tensor list said to come from the config, and an unknown source, naming the field', () => {
    const tensors = synthesizeTensors(llama3_8b);
    expect(() => prepareModel(llama3_8b, { tensors, source: 'config' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'source' }),
    );
    expect(() => prepareModel(llama3_8b, { source: 'hub' as 'gguf' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'source' }),
    );
  });
});
