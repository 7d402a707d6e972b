/**
 * The hyper-parameters of a model, normalized from any `config.json` family. Everything exact in
 * vramkit (tensor inventory, parameters, weight bytes, KV cache) is a function of this object.
 *
 * Layers are described one by one (`layers[i]`), so per-layer windows, per-layer KV heads or FFN
 * widths, dense-first MoE stacks and hybrid linear/full attention need no special cases. Identical
 * layers may share one object.
 */
export interface Architecture {
  /** The `model_type` this was normalized from (`llama`, `qwen3_moe`, `deepseek_v3`, …). */
  family: string;
  vocabSize: number;
  hiddenSize: number;
  /** Decoder layers that run at inference (MTP layers are counted in `mtpLayers`, not here). */
  layers: readonly LayerSpec[];
  /** `tie_word_embeddings`: the output projection reuses the input embedding matrix. */
  tiedEmbeddings: boolean;
  /** The output projection has a bias of `vocabSize` values (Phi-1/1.5/2 `lm_head`). */
  outputBias?: boolean;
  /** Learned absolute positions (GPT-2 `wpe`): rows of the position table, else 0. */
  learnedPositions: number;
  /** Normalization flavour: LayerNorm carries a bias vector, RMSNorm does not. */
  norm: 'rmsnorm' | 'layernorm';
  /** A norm over the token embeddings before the first layer (BLOOM `word_embeddings_layernorm`), of the `norm` flavour. */
  embeddingNorm?: boolean;
  /** Whether a final norm precedes the output projection. */
  finalNorm: boolean;
  /** `num_nextn_predict_layers` (DeepSeek-V3 multi-token prediction): checkpoint-only extra layers. */
  mtpLayers: number;
  /** Training context length from the config, informational only (never a default workload). */
  maxPositionEmbeddings?: number;
  /**
   * `rope_scaling.rope_type` when it changes what a converter writes: `llama3` makes llama.cpp's
   * converter add `rope_freqs.weight` (convert_hf_to_gguf.py LlamaModel.generate_extra_tensors).
   */
  ropeScaling?: string;
  /** How checkpoint modules are named (`model.layers.N.self_attn.q_proj` vs GPT-2's `transformer.h.N.attn.c_attn`). */
  naming?: 'llama' | 'gpt2' | 'neox' | 'falcon' | 'mamba';
  /** Free-form facts worth printing (e.g. "embeddings scaled by √hidden"); no effect on memory. */
  notes?: readonly string[];
}

/** One decoder layer: its token mixer (attention or a recurrent mixer), its MLP and its norms. */
export interface LayerSpec {
  attention: AttentionSpec;
  mlp: MlpSpec;
  /**
   * Names of the per-layer norms in checkpoint order, e.g. `['input_layernorm',
   * 'post_attention_layernorm']`; Gemma 2/3 have four. Each has `hiddenSize` weights (and a bias
   * for LayerNorm).
   */
  norms: readonly string[];
  /** GPT-NeoX / Falcon parallel block (attention and MLP read the same input); affects activations only. */
  parallelBlock?: boolean;
}

/** How a layer mixes tokens. `full`, `sliding` and `chunked` are softmax attention with a KV cache. */
export type AttentionSpec = SoftmaxAttentionSpec | LinearAttentionSpec | MambaMixerSpec;

export interface SoftmaxAttentionSpec {
  kind: 'full' | 'sliding' | 'chunked';
  numHeads: number;
  /** KV heads: equal to `numHeads` for MHA, 1 for MQA, in between for GQA. */
  numKvHeads: number;
  /** Per-head dimension of queries and keys (Gemma and Qwen3 give it explicitly; not hidden/heads). */
  headDim: number;
  /** Per-head dimension of values (differs from `headDim` in MLA). */
  vHeadDim: number;
  /** Tokens a sliding layer attends to, or the chunk size of chunked attention (Llama 4). */
  window?: number;
  /** q/k normalization: per head (Qwen3, Gemma 3), over the whole projection (OLMo 2), or none. */
  qkNorm: 'none' | 'per-head' | 'full';
  /** Weightless per-head L2 norm of q and k after rope (Llama 4 `use_qk_norm` on its rope layers): no parameters, activations only. */
  l2QkNorm?: boolean;
  qkvBias: boolean;
  outBias: boolean;
  /** Checkpoint stores q, k and v as one `qkv_proj` (Phi-3) or `c_attn` (GPT-2) / `query_key_value` matrix. */
  fusedQkv?: 'qkv_proj' | 'c_attn' | 'query_key_value';
  /** Output gate fused into q_proj (Qwen3-Next): q_proj emits 2 × heads × headDim. */
  gatedOutput?: boolean;
  /** Learned per-head attention sinks (gpt-oss). */
  sinks?: boolean;
  /** Multi-head latent attention (DeepSeek-V2/V3): the cache holds the compressed latent. */
  mla?: MlaSpec;
}

/** DeepSeek multi-head latent attention ranks (arXiv:2405.04434 §2.1). */
export interface MlaSpec {
  /** 0 when queries are projected directly (DeepSeek-V2-Lite). */
  qLoraRank: number;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
}

/** Gated DeltaNet style linear attention (Qwen3-Next): a fixed-size recurrent state instead of a KV cache. */
export interface LinearAttentionSpec {
  kind: 'linear';
  numKeyHeads: number;
  numValueHeads: number;
  keyHeadDim: number;
  valueHeadDim: number;
  convKernel: number;
}

/** Mamba selective-state-space mixer: conv state and SSM state per sequence, no KV cache. */
export interface MambaMixerSpec {
  kind: 'mamba';
  intermediateSize: number;
  stateSize: number;
  convKernel: number;
  dtRank: number;
  bias: boolean;
  convBias: boolean;
}

export type MlpSpec = DenseMlpSpec | MoeMlpSpec;

export interface DenseMlpSpec {
  kind: 'dense';
  /** Gated (SwiGLU/GeGLU: gate, up, down) or plain (up, down). */
  gated: boolean;
  intermediateSize: number;
  bias: boolean;
  /** Checkpoint naming: `gate_up_proj` fused (Phi-3), GPT-2 `c_fc`/`c_proj`, NeoX `dense_h_to_4h`, or llama style. */
  naming?: 'llama' | 'fused_gate_up' | 'gpt2' | 'neox';
}

export interface MoeMlpSpec {
  kind: 'moe';
  numExperts: number;
  /** Experts each token is routed to. */
  topK: number;
  expertIntermediateSize: number;
  gated: boolean;
  /** Per-expert biases (gpt-oss). */
  expertBias: boolean;
  routerBias: boolean;
  /** DeepSeek-V3's `e_score_correction_bias` (one per routed expert). */
  routerCorrectionBias: boolean;
  /** Always-on shared expert(s), merged into one MLP of `intermediateSize` (= count × width). */
  shared?: { intermediateSize: number; gate: boolean };
}

/** Softmax attention layers have a KV cache; others have a fixed recurrent state. */
export function isSoftmaxAttention(a: AttentionSpec): a is SoftmaxAttentionSpec {
  return a.kind === 'full' || a.kind === 'sliding' || a.kind === 'chunked';
}
