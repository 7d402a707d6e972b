import { describe, expect, it } from 'vitest';
import { decoder } from './__fixtures__/decoder.js';
import { architectureSize, validateArchitecture } from './architecture-schema.js';
import { INPUT_LIMITS } from './validate.js';

describe('validateArchitecture bounds (issue #15)', () => {
  const base = decoder({ family: 'llama', vocab: 32000, hidden: 4096, layers: 2, heads: 32, kvHeads: 8, ffn: 14336 });

  it('accepts a real shape and sizes it within a small factor of its parameters', () => {
    expect(validateArchitecture(base)).toBe(base);
    expect(architectureSize(base).parameters).toBeGreaterThan(0);
  });

  it('refuses more layers than the bound by length alone, before validating each layer', () => {
    // A sparse array: validating 2^32 entries one by one would never finish.
    const layers = new Array(INPUT_LIMITS.layers.max + 1);
    expect(() => validateArchitecture({ ...base, layers })).toThrow(/architecture\.layers: at most 10000 layers/);
  });

  it('refuses a hidden size above the bound, naming the field', () => {
    expect(() => validateArchitecture({ ...base, hiddenSize: 2 ** 40 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'architecture.hiddenSize' }),
    );
  });

  it('refuses a shape whose parameter count leaves the safe-integer range', () => {
    const layer = base.layers[0]!;
    const wide = { ...layer, mlp: { kind: 'dense' as const, gated: true, intermediateSize: 2 ** 20, bias: false } };
    const arch = { ...base, hiddenSize: 2 ** 20, layers: new Array(5000).fill(wide) };
    expect(() => validateArchitecture(arch)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/parameters, above the limit/) }),
    );
  });
});
