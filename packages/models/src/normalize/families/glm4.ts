import { denseDecoder } from './dense.js';
import type { ConfigFamily } from './family.js';

/**
 * GLM-4 (transformers GlmDecoderLayer, Glm4DecoderLayer): q/k/v with biases (`attention_bias`,
 * default true), o_proj without, fused `gate_up_proj` SwiGLU without biases, untied output. `glm`
 * (GLM-4-9B-chat) has the two Llama norms; `glm4` (GLM-4-0414) adds `post_self_attn_layernorm` and
 * `post_mlp_layernorm` around attention and MLP.
 */
export const glmFamilies: ConfigFamily[] = [
  {
    modelTypes: ['glm'],
    normalize: (r) =>
      denseDecoder(
        r,
        {
          norms: ['input_layernorm', 'post_attention_layernorm'],
          qkvBias: r.bool('attention_bias', true),
          mlpNaming: 'fused_gate_up',
          tiedDefault: false,
        },
        () => 'full_attention',
      ),
  },
  {
    modelTypes: ['glm4'],
    normalize: (r) =>
      denseDecoder(
        r,
        {
          norms: ['input_layernorm', 'post_self_attn_layernorm', 'post_attention_layernorm', 'post_mlp_layernorm'],
          qkvBias: r.bool('attention_bias', true),
          mlpNaming: 'fused_gate_up',
          tiedDefault: false,
        },
        () => 'full_attention',
      ),
  },
];
