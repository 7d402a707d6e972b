import type { Architecture, LayerSpec } from '@vramkit/core';

/**
 * Minimal config.json → Architecture for the llama-style families the quant tests use (llama,
 * mistral, qwen2, mixtral, qwen3_moe). @vramkit/models owns the real normalizer; quant cannot import
 * it (models depends on quant), so tests build these few by hand from the recorded configs.
 */
export function llamaLikeArchitecture(config: Record<string, unknown>): Architecture {
  const num = (k: string): number => {
    const v = config[k];
    if (typeof v !== 'number') throw new Error(`fixture config lacks ${k}`);
    return v;
  };
  const hidden = num('hidden_size');
  const heads = num('num_attention_heads');
  const kv = typeof config.num_key_value_heads === 'number' ? config.num_key_value_heads : heads;
  const headDim = typeof config.head_dim === 'number' ? config.head_dim : hidden / heads;
  const experts = (config.num_local_experts ?? config.num_experts) as number | undefined;
  const family = String(config.model_type);
  const qkvBias = family === 'qwen2' || config.attention_bias === true;
  const layer: LayerSpec = {
    attention: {
      kind: 'full',
      numHeads: heads,
      numKvHeads: kv,
      headDim,
      vHeadDim: headDim,
      qkNorm: family === 'qwen3_moe' || family === 'qwen3' ? 'per-head' : 'none',
      qkvBias,
      outBias: false,
    },
    mlp: experts
      ? {
          kind: 'moe',
          numExperts: experts,
          topK: num('num_experts_per_tok'),
          expertIntermediateSize: (config.moe_intermediate_size as number | undefined) ?? num('intermediate_size'),
          gated: true,
          expertBias: false,
          routerBias: false,
          routerCorrectionBias: false,
        }
      : { kind: 'dense', gated: true, intermediateSize: num('intermediate_size'), bias: false },
    norms: ['input_layernorm', 'post_attention_layernorm'],
  };
  return {
    family,
    vocabSize: num('vocab_size'),
    hiddenSize: hidden,
    layers: Array.from({ length: num('num_hidden_layers') }, () => layer),
    tiedEmbeddings: config.tie_word_embeddings === true,
    learnedPositions: 0,
    norm: 'rmsnorm',
    finalNorm: true,
    mtpLayers: 0,
  };
}

/**
 * GPT-NeoX (Pythia) architecture: LayerNorm with biases, fused query_key_value with bias, plain GELU
 * MLP 4× wide with biases, parallel block, untied embed_out. Hyper-parameters from the Pythia
 * config.json files (EleutherAI/pythia-1.4b, -2.8b: vocab 50304, MHA, intermediate 4 × hidden).
 */
export function neoxArchitecture(hidden: number, layers: number, heads: number): Architecture {
  const layer: LayerSpec = {
    attention: {
      kind: 'full',
      numHeads: heads,
      numKvHeads: heads,
      headDim: hidden / heads,
      vHeadDim: hidden / heads,
      qkNorm: 'none',
      qkvBias: true,
      outBias: true,
      fusedQkv: 'query_key_value',
    },
    mlp: { kind: 'dense', gated: false, intermediateSize: 4 * hidden, bias: true, naming: 'neox' },
    norms: ['input_layernorm', 'post_attention_layernorm'],
    parallelBlock: true,
  };
  return {
    family: 'gpt_neox',
    vocabSize: 50304,
    hiddenSize: hidden,
    layers: Array.from({ length: layers }, () => layer),
    tiedEmbeddings: false,
    learnedPositions: 0,
    norm: 'layernorm',
    finalNorm: true,
    mtpLayers: 0,
    naming: 'neox',
  };
}

/**
 * gpt-oss architecture from its config.json (openai/gpt-oss-20b/-120b): attention with q/k/v/o biases
 * and learned sinks, MoE with fused gate_up experts carrying biases, a router with bias, untied
 * embeddings. Sliding windows do not change weight bytes and are left out.
 */
export function gptOssArchitecture(config: Record<string, unknown>): Architecture {
  const n = (k: string) => config[k] as number;
  const layer: LayerSpec = {
    attention: {
      kind: 'full',
      numHeads: n('num_attention_heads'),
      numKvHeads: n('num_key_value_heads'),
      headDim: n('head_dim'),
      vHeadDim: n('head_dim'),
      qkNorm: 'none',
      qkvBias: true,
      outBias: true,
      sinks: true,
    },
    mlp: {
      kind: 'moe',
      numExperts: n('num_local_experts'),
      topK: n('num_experts_per_tok'),
      expertIntermediateSize: n('intermediate_size'),
      gated: true,
      expertBias: true,
      routerBias: true,
      routerCorrectionBias: false,
    },
    norms: ['input_layernorm', 'post_attention_layernorm'],
  };
  return {
    family: 'gpt_oss',
    vocabSize: n('vocab_size'),
    hiddenSize: n('hidden_size'),
    layers: Array.from({ length: n('num_hidden_layers') }, () => layer),
    tiedEmbeddings: false,
    learnedPositions: 0,
    norm: 'rmsnorm',
    finalNorm: true,
    mtpLayers: 0,
  };
}
