import { describe, expect, it } from 'vitest';
import { llama3_8b } from '../__fixtures__/architectures.js';
import { synthesizeTensors } from '../model/synthesize-tensors.js';
import { plainFormats, weightBytes } from './weight-format.js';

const tensors = synthesizeTensors(llama3_8b);
const ctx = { arch: llama3_8b, numLayers: 32 };

describe('weightBytes', () => {
  it('is 4 / 2 / 2 bytes per parameter in f32 / f16 / bf16', () => {
    expect(weightBytes(tensors, plainFormats.f32, ctx).total).toBe(8_030_261_248 * 4);
    expect(weightBytes(tensors, plainFormats.f16, ctx).total).toBe(8_030_261_248 * 2);
    expect(weightBytes(tensors, plainFormats.bf16, ctx).byType.bf16!.tensors).toBe(tensors.length);
  });

  it('keeps embeddings, output and norms in bf16 under fp8, with one f32 scale per linear tensor', () => {
    const w = weightBytes(tensors, plainFormats.fp8, ctx);
    const linear = tensors.filter(
      (t) => t.kind === 'weight' && t.shape.length === 2 && t.role !== 'token_embd' && t.role !== 'output',
    );
    const linearElems = linear.reduce((n, t) => n + t.shape[0]! * t.shape[1]!, 0);
    expect(w.byType.fp8!.bytes).toBe(linearElems + 4 * linear.length);
    expect(w.byType.bf16!.bytes).toBe((8_030_261_248 - linearElems) * 2);
  });

  it('adds one f32 scale per output channel under int8', () => {
    const w = weightBytes(tensors, plainFormats.int8, ctx);
    const rows = tensors
      .filter((t) => t.kind === 'weight' && t.shape.length === 2 && t.role !== 'token_embd' && t.role !== 'output')
      .reduce((n, t) => n + t.shape[0]!, 0);
    expect(w.byType.int8!.bytes - w.byType.int8!.elements).toBe(4 * rows);
  });
});
