import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { jambaFamily } from './jamba.js';

describe('jambaFamily', () => {
  it('Jamba-v0.1: 4 attention layers of 32, 16 MoE layers, the rest Mamba + dense', () => {
    // ai21labs/Jamba-v0.1 config.json
    const { arch } = normalize(jambaFamily, {
      model_type: 'jamba',
      hidden_size: 4096,
      intermediate_size: 14336,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      num_hidden_layers: 32,
      vocab_size: 65536,
      num_experts: 16,
      num_experts_per_tok: 2,
      attn_layer_period: 8,
      attn_layer_offset: 4,
      expert_layer_period: 2,
      expert_layer_offset: 1,
      mamba_d_state: 16,
      mamba_d_conv: 4,
      mamba_expand: 2,
      mamba_dt_rank: 256,
      mamba_conv_bias: true,
      mamba_proj_bias: false,
      tie_word_embeddings: false,
    });
    expect(arch.layers.filter((l) => l.attention.kind === 'full')).toHaveLength(4);
    expect(arch.layers.filter((l) => l.mlp.kind === 'moe')).toHaveLength(16);
    expect(arch.notes?.[0]).toMatch(/8064 parameters/);
  });
});
