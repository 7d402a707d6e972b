import { describe, expect, it } from 'vitest';
import { storedFormat, storedTensorBytes } from './stored-format.js';
import { weightBytes } from '../formats/weight-format.js';

describe('storedFormat', () => {
  it('sums the types a GGUF header gives exactly: Q4_K 4096×4096 = 9,437,184 bytes, F32 (type 0) norm 16,384', () => {
    const r = weightBytes(
      [
        { name: 'blk.0.attn_q.weight', role: 'attn_q', kind: 'weight', shape: [4096, 4096], dtype: 'Q4_K' },
        { name: 'blk.0.attn_norm.weight', role: 'attn_norm', kind: 'norm', shape: [4096], dtype: '0' },
      ],
      storedFormat,
      { numLayers: 1 },
    );
    expect(r.total).toBe(4096 * 16 * 144 + 4096 * 4);
    expect(Object.keys(r.byType).sort()).toEqual(['F32', 'Q4_K']);
  });

  it('sizes safetensors dtypes: BF16 2 bytes, packed U8 1 byte, F8_E4M3 1 byte per element', () => {
    expect(storedTensorBytes({ name: 'a', role: 'attn_q', kind: 'weight', shape: [3, 5], dtype: 'BF16' })).toBe(30);
    expect(storedTensorBytes({ name: 'b', role: 'attn_q', kind: 'weight', shape: [3, 5], dtype: 'U8' })).toBe(15);
    expect(storedTensorBytes({ name: 'c', role: 'attn_q', kind: 'weight', shape: [3, 5], dtype: 'F8_E4M3' })).toBe(15);
    expect(storedTensorBytes({ name: 'd', role: 'attn_q', kind: 'weight', shape: [3, 5], dtype: 'I32' })).toBe(60);
  });

  it('refuses a tensor without a dtype, an unknown dtype and partial blocks, naming the field', () => {
    const t = { name: 'w', role: 'attn_q', kind: 'weight', shape: [2, 100] } as const;
    expect(() => storedTensorBytes(t)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'tensors.w.dtype' }),
    );
    expect(() => storedTensorBytes({ ...t, dtype: 'Q9_X' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'tensors.w.dtype' }),
    );
    expect(() => storedTensorBytes({ ...t, dtype: 'Q4_K' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'tensors.w.shape' }),
    );
  });
});
