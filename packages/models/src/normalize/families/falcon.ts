import { ConfigReader } from '../config-fields.js';
import { denseDecoder } from './dense.js';
import type { ConfigFamily } from './family.js';

/**
 * Falcon (transformers FalconDecoderLayer / FalconConfig): fused `query_key_value`, GELU MLP of
 * `ffn_hidden_size` (default 4 × hidden), LayerNorms with biases, tied embeddings by default, and
 * biases on the linears only when `bias`. KV heads: `num_kv_heads` with the new decoder architecture
 * (40B/180B), 1 with `multi_query` (7B; FalconConfig's default), else one per head. Norms: `ln_attn`
 * and `ln_mlp` for the new architecture (`num_ln_in_parallel_attn` 2), else `input_layernorm`, plus
 * `post_attention_layernorm` when attention and MLP are sequential (`parallel_attn` false).
 */
export const falconFamily: ConfigFamily = {
  modelTypes: ['falcon', 'RefinedWeb', 'RefinedWebModel'],
  normalize: (r) => {
    const newArch = r.bool('new_decoder_architecture', false);
    const parallel = r.bool('parallel_attn', true);
    const bias = r.bool('bias', false);
    const heads = r.int(['num_attention_heads', 'n_head']);
    const kvHeads = newArch
      ? r.int(['num_kv_heads', 'n_head_kv', 'num_key_value_heads'], { fallback: heads })
      : r.bool('multi_query', true)
        ? 1
        : heads;
    const lnCount = newArch ? r.int('num_ln_in_parallel_attn', { fallback: 2 }) : 0;
    const norms = newArch
      ? lnCount === 2
        ? ['ln_attn', 'ln_mlp']
        : ['input_layernorm']
      : parallel
        ? ['input_layernorm']
        : ['input_layernorm', 'post_attention_layernorm'];
    // Read the shared fields through a reader that sees the resolved KV heads; its issues are reported as this config's.
    const inner = new ConfigReader(
      {
        ...r.config,
        num_key_value_heads: kvHeads,
        num_attention_heads: heads,
        num_kv_heads: undefined,
        n_head_kv: undefined,
      },
      r.modelType,
    );
    const arch = denseDecoder(
      inner,
      {
        norms,
        norm: 'layernorm',
        fusedQkv: 'query_key_value',
        qkvBias: bias,
        outBias: bias,
        gatedMlp: false,
        mlpBias: bias,
        mlpNaming: 'neox',
        tiedDefault: true,
        naming: 'falcon',
        parallelBlock: newArch || parallel,
      },
      () => 'full_attention',
    );
    r.issues.push(...inner.issues);
    return arch;
  },
};
