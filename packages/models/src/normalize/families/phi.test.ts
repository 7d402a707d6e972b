import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { phiFamily } from './phi.js';

describe('phiFamily', () => {
  it('phi: Phi-2 counts 2,779,683,840, its lm_head bias of 51,200 included', () => {
    // microsoft/phi-2 config.json
    const { arch, params } = normalize(phiFamily, {
      model_type: 'phi',
      hidden_size: 2560,
      intermediate_size: 10240,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      num_hidden_layers: 32,
      vocab_size: 51200,
      max_position_embeddings: 2048,
      partial_rotary_factor: 0.4,
      qk_layernorm: false,
      tie_word_embeddings: false,
    });
    expect(params.total).toBe(2_779_683_840);
    expect(arch.outputBias).toBe(true);
  });
});
