import { describe, expect, it } from 'vitest';
import { KV_DTYPES, kvDtypeLayout, normalizeDtypeName } from './dtypes.js';

describe('KV_DTYPES', () => {
  it('has the bits per value ggml documents: q8_0 8.5, q4_0 4.5, q4_1 5, q5_0 5.5, q5_1 6', () => {
    const bits = Object.fromEntries(KV_DTYPES.map((d) => [d.id, (d.blockBytes * 8) / d.blockElements]));
    expect(bits).toMatchObject({
      f32: 32,
      f16: 16,
      bf16: 16,
      fp8: 8,
      q8_0: 8.5,
      q4_0: 4.5,
      q4_1: 5,
      iq4_nl: 4.5,
      q5_0: 5.5,
      q5_1: 6,
    });
  });

  it('maps torch and vLLM spellings to ours', () => {
    expect(normalizeDtypeName('torch.bfloat16')).toBe('bf16');
    expect(normalizeDtypeName('fp8_e4m3')).toBe('fp8');
    expect(kvDtypeLayout('Q8_0')?.blockBytes).toBe(34);
  });
});
