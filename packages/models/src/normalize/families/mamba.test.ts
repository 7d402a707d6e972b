import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { mambaFamily } from './mamba.js';

describe('mambaFamily', () => {
  it('mamba: mamba-130m-hf has 129,135,360 parameters and no KV cache (mamba mixers only)', () => {
    // state-spaces/mamba-130m-hf config.json
    const { arch, params } = normalize(mambaFamily, {
      model_type: 'mamba',
      hidden_size: 768,
      num_hidden_layers: 24,
      vocab_size: 50280,
      state_size: 16,
      expand: 2,
      conv_kernel: 4,
      time_step_rank: 'auto',
      use_bias: false,
      use_conv_bias: true,
      tie_word_embeddings: true,
    });
    expect(params.total).toBe(129_135_360);
    expect(arch.layers.every((l) => l.attention.kind === 'mamba')).toBe(true);
  });
});
