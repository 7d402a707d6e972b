import type { ConfigFamily } from './family.js';
import { denseDecoder } from './dense.js';

const SANDWICH = [
  'input_layernorm',
  'post_attention_layernorm',
  'pre_feedforward_layernorm',
  'post_feedforward_layernorm',
] as const;
const EMBED_NOTE = 'embeddings are scaled by √hidden_size (no memory effect)';

/** Gemma 1/2/3: tied embeddings, GeGLU MLP, explicit head_dim; Gemma 2/3 interleave sliding and global layers. */
export const gemmaFamilies: ConfigFamily[] = [
  {
    modelTypes: ['gemma'],
    normalize: (r) =>
      denseDecoder(
        r,
        { norms: ['input_layernorm', 'post_attention_layernorm'], tiedDefault: true, notes: [EMBED_NOTE] },
        () => 'full_attention',
      ),
  },
  {
    // transformers Gemma2Config: layer i slides when (i + 1) % 2 != 0, i.e. even layers.
    modelTypes: ['gemma2'],
    normalize: (r) =>
      denseDecoder(r, { norms: SANDWICH, tiedDefault: true, notes: [EMBED_NOTE] }, (i) =>
        i % 2 === 0 ? 'sliding_attention' : 'full_attention',
      ),
  },
  {
    // transformers Gemma3TextConfig: every `sliding_window_pattern`-th layer is global, the rest slide; q/k RMSNorm per head.
    modelTypes: ['gemma3_text', 'gemma3'],
    normalize: (r) => {
      const pattern = r.int('sliding_window_pattern', { fallback: 6 });
      return denseDecoder(r, { norms: SANDWICH, qkNorm: 'per-head', tiedDefault: true, notes: [EMBED_NOTE] }, (i) =>
        (i + 1) % pattern === 0 ? 'full_attention' : 'sliding_attention',
      );
    },
  },
];
