import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { glmFamilies } from './glm4.js';

describe('glmFamilies', () => {
  it('glm4: four norms per layer, q/k/v biases, fused gate_up', () => {
    const { arch } = normalize(glmFamilies[1]!, {
      model_type: 'glm4',
      hidden_size: 4096,
      intermediate_size: 13696,
      num_attention_heads: 32,
      num_key_value_heads: 2,
      num_hidden_layers: 40,
      vocab_size: 151552,
      head_dim: 128,
      attention_bias: true,
    });
    expect(arch.layers[0]!.norms).toHaveLength(4);
    const mlp = arch.layers[0]!.mlp;
    expect(mlp.kind === 'dense' && mlp.naming).toBe('fused_gate_up');
  });
});
