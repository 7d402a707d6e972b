import type { Architecture, LayerSpec } from '../../model/architecture.js';
import { decoder } from '../../__fixtures__/decoder.js';

/**
 * Architectures built by hand from the numbers of recorded `config.json` files, so the training
 * tests do not depend on `@vramkit/models` (which depends on core). Each names its source file in
 * the shared reference data (data/configs), or the Hub config it transcribes.
 */
/** configs/meta-llama__Llama-2-7b-hf.json */
export const llama2_7b = decoder({ family: 'llama', vocab: 32000, hidden: 4096, layers: 32, heads: 32, kvHeads: 32, ffn: 11008, tied: false });
/** configs/meta-llama__Llama-2-70b-hf.json */
export const llama2_70b = decoder({ family: 'llama', vocab: 32000, hidden: 8192, layers: 80, heads: 64, kvHeads: 8, ffn: 28672, tied: false });
/** configs/meta-llama__Meta-Llama-3.1-8B.json (Meta-Llama-3-8B has the same shapes) */
export const llama31_8b = decoder({ family: 'llama', vocab: 128256, hidden: 4096, layers: 32, heads: 32, kvHeads: 8, ffn: 14336, tied: false });
/** configs/meta-llama__Meta-Llama-3.1-70B.json */
export const llama31_70b = decoder({ family: 'llama', vocab: 128256, hidden: 8192, layers: 80, heads: 64, kvHeads: 8, ffn: 28672, tied: false });
/** configs/meta-llama__Llama-3.2-3B-Instruct.json (Llama-3.2-3B has the same shapes) */
export const llama32_3b = decoder({ family: 'llama', vocab: 128256, hidden: 3072, layers: 28, heads: 24, kvHeads: 8, ffn: 8192, tied: true, headDim: 128 });
/** configs/mistralai__Mistral-7B-v0.1.json; `vocab` overridable for the resized-embedding notebook. */
export const mistral7b = (vocab = 32000) => decoder({ family: 'mistral', vocab, hidden: 4096, layers: 32, heads: 32, kvHeads: 8, ffn: 14336, tied: false });
/** configs/mistralai__Mixtral-8x7B-v0.1.json */
export const mixtral8x7b = decoder({ family: 'mixtral', vocab: 32000, hidden: 4096, layers: 32, heads: 32, kvHeads: 8, ffn: 14336, tied: false, moe: { experts: 8, topK: 2 } });
/** Hub config of Qwen/Qwen2.5-3B-Instruct (hidden 2048, 36 layers, 16 heads, 2 KV heads, ffn 11008, vocab 151936, tied, q/k/v bias). */
export const qwen25_3b = decoder({ family: 'qwen2', vocab: 151936, hidden: 2048, layers: 36, heads: 16, kvHeads: 2, ffn: 11008, tied: true, qkvBias: true });
/** Hub config of deepseek-ai/deepseek-llm-7b-chat (llama: hidden 4096, 30 layers, 32 heads, ffn 11008, vocab 102400). */
export const deepseekLlm7b = decoder({ family: 'llama', vocab: 102400, hidden: 4096, layers: 30, heads: 32, kvHeads: 32, ffn: 11008, tied: false });
/** Hub config of Qwen/Qwen1.5-7B-Chat (qwen2: hidden 4096, 32 layers, 32 heads MHA, ffn 11008, vocab 151936, q/k/v bias, untied). */
export const qwen15_7b = decoder({ family: 'qwen2', vocab: 151936, hidden: 4096, layers: 32, heads: 32, kvHeads: 32, ffn: 11008, tied: false, qkvBias: true });
/** configs/HuggingFaceTB__SmolLM2-360M.json */
export const smollm2_360m = decoder({ family: 'llama', vocab: 49152, hidden: 960, layers: 32, heads: 15, kvHeads: 5, ffn: 2560, tied: true });

/**
 * A GPT-style layer as Korthikanti et al. 2022 analyse it: LayerNorm, fused QKV, MHA, 4h GeLU MLP
 * with biases (the shapes of GPT-2 / Megatron GPT; h = 2048, 16 heads, 2 layers, vocab 50,304).
 */
export const gptKorthikanti: Architecture = {
  family: 'gpt2',
  vocabSize: 50304,
  hiddenSize: 2048,
  layers: new Array<LayerSpec>(2).fill({
    attention: { kind: 'full', numHeads: 16, numKvHeads: 16, headDim: 128, vHeadDim: 128, qkNorm: 'none', qkvBias: true, outBias: true, fusedQkv: 'c_attn' },
    mlp: { kind: 'dense', gated: false, intermediateSize: 8192, bias: true, naming: 'gpt2' },
    norms: ['ln_1', 'ln_2'],
  }),
  tiedEmbeddings: true,
  learnedPositions: 2048,
  norm: 'layernorm',
  finalNorm: true,
  mtpLayers: 0,
  naming: 'gpt2',
};
