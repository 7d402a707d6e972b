import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { gptNeoxFamily } from './gpt-neox.js';

describe('gptNeoxFamily', () => {
  it('gpt_neox: Pythia-160M has 162,322,944 parameters (Pythia paper, Table: total params)', () => {
    // EleutherAI/pythia-160m config.json
    const { arch, params } = normalize(gptNeoxFamily, {
      model_type: 'gpt_neox',
      hidden_size: 768,
      intermediate_size: 3072,
      num_attention_heads: 12,
      num_hidden_layers: 12,
      vocab_size: 50304,
      max_position_embeddings: 2048,
      rotary_pct: 0.25,
      tie_word_embeddings: false,
      use_parallel_residual: true,
    });
    expect(params.total).toBe(162_322_944);
    expect(arch.naming).toBe('neox');
    expect(arch.layers[0]!.parallelBlock).toBe(true);
  });
});
