import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { cohereFamilies } from './cohere.js';

describe('cohereFamilies', () => {
  it('cohere: Command-R with use_qk_norm counts heads × head_dim q-norm weights per layer', () => {
    const base = {
      model_type: 'cohere',
      hidden_size: 1024,
      intermediate_size: 2048,
      num_attention_heads: 8,
      num_key_value_heads: 2,
      num_hidden_layers: 2,
      vocab_size: 1000,
    };
    const plain = normalize(cohereFamilies[0]!, base).params.total;
    const qk = normalize(cohereFamilies[0]!, { ...base, use_qk_norm: true }).params.total;
    expect(qk - plain).toBe(2 * (8 * 128 + 2 * 128));
  });

  it('cohere2: every 4th layer global, the rest sliding (window 4096)', () => {
    const { arch } = normalize(cohereFamilies[1]!, {
      model_type: 'cohere2',
      hidden_size: 1024,
      intermediate_size: 2048,
      num_attention_heads: 8,
      num_key_value_heads: 2,
      num_hidden_layers: 8,
      vocab_size: 1000,
      sliding_window: 4096,
      sliding_window_pattern: 4,
    });
    expect(arch.layers.map((l) => l.attention.kind)).toEqual([
      'sliding',
      'sliding',
      'sliding',
      'full',
      'sliding',
      'sliding',
      'sliding',
      'full',
    ]);
  });
});
