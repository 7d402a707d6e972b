import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { falconFamily } from './falcon.js';

describe('falconFamily', () => {
  it('falcon: Falcon-7B (multi-query, 71 heads) has 6,921,720,704 parameters and 1 KV head', () => {
    // tiiuae/falcon-7b config.json
    const { arch, params } = normalize(falconFamily, {
      model_type: 'falcon',
      hidden_size: 4544,
      num_attention_heads: 71,
      num_hidden_layers: 32,
      vocab_size: 65024,
      multi_query: true,
      new_decoder_architecture: false,
      parallel_attn: true,
      bias: false,
      alibi: false,
    });
    expect(params.total).toBe(6_921_720_704);
    const a = arch.layers[0]!.attention;
    expect(a.kind === 'full' && a.numKvHeads).toBe(1);
  });

  it('falcon: Falcon-40B (new decoder architecture) reads 8 KV heads and two norms per layer', () => {
    // tiiuae/falcon-40b config.json
    const { arch } = normalize(falconFamily, {
      model_type: 'falcon',
      hidden_size: 8192,
      num_attention_heads: 128,
      num_kv_heads: 8,
      num_hidden_layers: 60,
      vocab_size: 65024,
      new_decoder_architecture: true,
      parallel_attn: true,
      bias: false,
    });
    const a = arch.layers[0]!.attention;
    expect(a.kind === 'full' && a.numKvHeads).toBe(8);
    expect(arch.layers[0]!.norms).toEqual(['ln_attn', 'ln_mlp']);
  });
});
