import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { starcoder2Family } from './starcoder2.js';

describe('starcoder2Family', () => {
  it('starcoder2: biases everywhere and a 4096 sliding window on every layer', () => {
    const { arch } = normalize(starcoder2Family, {
      model_type: 'starcoder2',
      hidden_size: 3072,
      intermediate_size: 12288,
      num_attention_heads: 24,
      num_key_value_heads: 2,
      num_hidden_layers: 30,
      vocab_size: 49152,
      sliding_window: 4096,
      use_bias: true,
      max_position_embeddings: 16384,
    });
    expect(arch.layers.every((l) => l.attention.kind === 'sliding')).toBe(true);
    expect(arch.norm).toBe('layernorm');
  });
});
