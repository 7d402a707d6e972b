import { denseDecoder, readWindow } from './dense.js';
import type { ConfigFamily } from './family.js';

/**
 * Cohere Command-R (transformers CohereDecoderLayer): one bias-free LayerNorm feeding attention and
 * the gated SiLU MLP in parallel, tied embeddings by default, optional q/k LayerNorms over
 * `[heads, head_dim]` (`use_qk_norm`, Command-R+). Cohere2 (Command R7B) adds sliding layers: every
 * `sliding_window_pattern`-th layer (default 4) is global (transformers Cohere2Config).
 */
export const cohereFamilies: ConfigFamily[] = [
  {
    modelTypes: ['cohere'],
    normalize: (r) =>
      denseDecoder(
        r,
        {
          // CohereLayerNorm has a weight and no bias: RMSNorm-shaped in parameter terms.
          norms: ['input_layernorm'],
          qkNorm: r.bool('use_qk_norm', false) ? 'full' : 'none',
          qkvBias: r.bool('attention_bias', false),
          outBias: r.bool('attention_bias', false),
          tiedDefault: true,
          parallelBlock: true,
          notes: ['logits are multiplied by logit_scale (no memory effect)'],
        },
        () => 'full_attention',
      ),
  },
  {
    modelTypes: ['cohere2'],
    normalize: (r) => {
      const pattern = r.int('sliding_window_pattern', { fallback: 4 });
      return denseDecoder(
        r,
        {
          norms: ['input_layernorm'],
          qkvBias: r.bool('attention_bias', false),
          outBias: r.bool('attention_bias', false),
          tiedDefault: true,
          parallelBlock: true,
        },
        (i, reader) => (readWindow(reader) && (i + 1) % pattern !== 0 ? 'sliding_attention' : 'full_attention'),
      );
    },
  },
];
