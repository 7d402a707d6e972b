import type { Architecture, LayerSpec, SoftmaxAttentionSpec } from '../../model/architecture.js';
import { decoder } from '../../__fixtures__/decoder.js';

/**
 * Hand-built architectures of the models in ../shared/data/runtime_logs.json, from their public
 * config.json values (each cites its Hugging Face repository). Built by hand so that core's tests do
 * not depend on @vramkit/models.
 */

/** gpt_neox: parallel attention + MLP, LayerNorm with biases, fused query_key_value, untied embed_out. */
function gptNeox(s: { vocab: number; hidden: number; layers: number; heads: number }): Architecture {
  const layer: LayerSpec = {
    attention: { kind: 'full', numHeads: s.heads, numKvHeads: s.heads, headDim: s.hidden / s.heads, vHeadDim: s.hidden / s.heads, qkNorm: 'none', qkvBias: true, outBias: true, fusedQkv: 'query_key_value' },
    mlp: { kind: 'dense', gated: false, intermediateSize: 4 * s.hidden, bias: true, naming: 'neox' },
    norms: ['input_layernorm', 'post_attention_layernorm'],
    parallelBlock: true,
  };
  return {
    family: 'gpt_neox',
    vocabSize: s.vocab,
    hiddenSize: s.hidden,
    layers: Array.from({ length: s.layers }, () => layer),
    tiedEmbeddings: false,
    learnedPositions: 0,
    norm: 'layernorm',
    finalNorm: true,
    mtpLayers: 0,
    maxPositionEmbeddings: 2048,
    naming: 'neox',
  };
}

/** EleutherAI/pythia-1.4b config.json: hidden 2048, 24 layers, 16 heads, vocab 50304, intermediate 8192. */
export const pythia1_4b = gptNeox({ vocab: 50304, hidden: 2048, layers: 24, heads: 16 });
/** EleutherAI/pythia-2.8b config.json: hidden 2560, 32 layers, 32 heads, vocab 50304, intermediate 10240. */
export const pythia2_8b = gptNeox({ vocab: 50304, hidden: 2560, layers: 32, heads: 32 });
/** openlm-research/open_llama_7b_v2 config.json: llama, hidden 4096, 32 layers, 32 heads, ffn 11008, vocab 32000. */
export const openLlama7bV2 = decoder({ family: 'llama', vocab: 32000, hidden: 4096, layers: 32, heads: 32, kvHeads: 32, ffn: 11008, tied: false, maxPositions: 2048 });
/** meta-llama/Llama-2-7b-hf config.json (also ../shared/data/configs/meta-llama__Llama-2-7b-hf.json). */
export const llama2_7b = decoder({ family: 'llama', vocab: 32000, hidden: 4096, layers: 32, heads: 32, kvHeads: 32, ffn: 11008, tied: false, maxPositions: 4096 });
/** meta-llama/Llama-2-70b-hf config.json: hidden 8192, 80 layers, 64 heads, 8 KV heads, ffn 28672. */
export const llama2_70b = decoder({ family: 'llama', vocab: 32000, hidden: 8192, layers: 80, heads: 64, kvHeads: 8, ffn: 28672, tied: false, maxPositions: 4096 });
/**
 * mistralai/Mistral-7B-v0.1 config.json: hidden 4096, 32 layers, 32 heads, 8 KV heads, ffn 14336.
 * Its sliding_window 4096 is not applied by llama.cpp's llama architecture, so every layer is full.
 */
export const mistral7b = decoder({ family: 'mistral', vocab: 32000, hidden: 4096, layers: 32, heads: 32, kvHeads: 8, ffn: 14336, tied: false, maxPositions: 32768 });
/** microsoft/Phi-3-medium-128k-instruct config.json: hidden 5120, 40 layers, 40 heads, 10 KV heads, ffn 17920, vocab 32064; fused qkv_proj and gate_up_proj. */
export const phi3Medium128k = decoder({ family: 'phi3', vocab: 32064, hidden: 5120, layers: 40, heads: 40, kvHeads: 10, ffn: 17920, tied: false, maxPositions: 131072, fusedQkv: 'qkv_proj', fusedGateUp: true });
/** meta-llama/Llama-3.2-11B-Vision config.json text_config: hidden 4096, 40 layers (32 self + 8 cross), 32 heads, 8 KV heads, ffn 14336, vocab 128256. */
export const llama32Vision11bText = decoder({ family: 'mllama', vocab: 128256, hidden: 4096, layers: 40, heads: 32, kvHeads: 8, ffn: 14336, tied: false, maxPositions: 131072 });

/** facebook/opt-125m config.json: hidden 768, 12 layers, 12 heads, ffn 3072, vocab 50272, 2048 positions (+2 offset), tied, LayerNorm with biases. */
export const opt125m: Architecture = {
  family: 'opt',
  vocabSize: 50272,
  hiddenSize: 768,
  layers: Array.from({ length: 12 }, () => ({
    attention: { kind: 'full' as const, numHeads: 12, numKvHeads: 12, headDim: 64, vHeadDim: 64, qkNorm: 'none' as const, qkvBias: true, outBias: true },
    mlp: { kind: 'dense' as const, gated: false, intermediateSize: 3072, bias: true },
    norms: ['self_attn_layer_norm', 'final_layer_norm'],
  })),
  tiedEmbeddings: true,
  learnedPositions: 2050,
  norm: 'layernorm',
  finalNorm: true,
  mtpLayers: 0,
  maxPositionEmbeddings: 2048,
  naming: 'llama',
};

/** A sliding-window model for SWA tests: Gemma-2-like alternation, 1:1 sliding (window 4096) and full. */
export function alternatingSwa(): Architecture {
  const base = decoder({ family: 'gemma2', vocab: 256000, hidden: 2304, layers: 26, heads: 8, kvHeads: 4, ffn: 9216, tied: true, maxPositions: 8192 });
  const full = base.layers[0]!;
  const sliding: LayerSpec = { ...full, attention: { ...(full.attention as SoftmaxAttentionSpec), kind: 'sliding', window: 4096, headDim: 256, vHeadDim: 256 } };
  const fullWide: LayerSpec = { ...full, attention: { ...(full.attention as SoftmaxAttentionSpec), headDim: 256, vHeadDim: 256 } };
  return { ...base, layers: base.layers.map((_, i) => (i % 2 === 0 ? sliding : fullWide)) };
}
