import type { Architecture } from '../architecture.js';
import { decoder } from './decoder.js';

// Hyper-parameters copied from the models' config.json (see packages/models/catalogue/configs).

/** meta-llama/Meta-Llama-3-8B (and 3.1): 32 layers, 32 heads, 8 KV heads, head_dim 128. */
export const llama3_8b = decoder({ family: 'llama', vocab: 128256, hidden: 4096, layers: 32, heads: 32, kvHeads: 8, headDim: 128, ffn: 14336 });

/** meta-llama/Meta-Llama-3.1-70B: 80 layers, 64 heads, 8 KV heads. */
export const llama3_70b = decoder({ family: 'llama', vocab: 128256, hidden: 8192, layers: 80, heads: 64, kvHeads: 8, headDim: 128, ffn: 28672 });

/** The seed-003 model: Qwen3 layout with MHA (32 KV heads), intermediate 11008, vocab 152064. */
export const seed003 = decoder({ family: 'qwen3', vocab: 152064, hidden: 4096, layers: 32, heads: 32, kvHeads: 32, headDim: 128, ffn: 11008, qkNorm: 'per-head' });

/** google/gemma-3-1b-it: 26 layers, 1 KV head of 256, sliding window 512 except every 6th layer. */
export const gemma3_1b = decoder({
  family: 'gemma3_text',
  vocab: 262144,
  hidden: 1152,
  layers: 26,
  heads: 4,
  kvHeads: 1,
  headDim: 256,
  ffn: 6912,
  tied: true,
  qkNorm: 'per-head',
  norms: ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm'],
  kinds: (i) => ((i + 1) % 6 === 0 ? { kind: 'full' } : { kind: 'sliding', window: 512 }),
});

/** deepseek-ai/DeepSeek-V3 attention (MLA: kv_lora_rank 512, rope 64, nope 128, v 128, 128 heads), 61 layers. */
export const deepseekV3: Architecture = {
  family: 'deepseek_v3',
  vocabSize: 129280,
  hiddenSize: 7168,
  tiedEmbeddings: false,
  learnedPositions: 0,
  norm: 'rmsnorm',
  finalNorm: true,
  mtpLayers: 1,
  layers: Array.from({ length: 61 }, (_, i) => ({
    attention: {
      kind: 'full' as const,
      numHeads: 128,
      numKvHeads: 128,
      headDim: 192,
      vHeadDim: 128,
      qkNorm: 'none' as const,
      qkvBias: false,
      outBias: false,
      mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    },
    mlp:
      i < 3
        ? { kind: 'dense' as const, gated: true, intermediateSize: 18432, bias: false }
        : { kind: 'moe' as const, numExperts: 256, topK: 8, expertIntermediateSize: 2048, gated: true, expertBias: false, routerBias: false, routerCorrectionBias: true, shared: { intermediateSize: 2048, gate: false } },
    norms: ['input_layernorm', 'post_attention_layernorm'],
  })),
};

/** A one-layer, single-head, fp32 attention block with no MLP: the seed-002 benchmark's shape. */
export function singleHeadAttention(dModel: number): Architecture {
  return decoder({ family: 'bench', vocab: 1, hidden: dModel, layers: 1, heads: 1, kvHeads: 1, headDim: dModel, ffn: 0, mlp: { kind: 'dense', gated: false, intermediateSize: 0, bias: false } });
}
