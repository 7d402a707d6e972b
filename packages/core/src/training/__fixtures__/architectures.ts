import type { Architecture, LayerSpec } from '../../model/architecture.js';
import { decoder } from '../../__fixtures__/decoder.js';

/**
 * Architectures built by hand, only where no recorded config exists (Hub configs transcribed) or the
 * activation tests need a fixed shape; training tests otherwise take recorded configs through
 * `@vramkit/fixtures` (`fixtureArchitecture(id)`).
 */
/** configs/meta-llama__Llama-2-7b-hf.json */
export const llama2_7b = decoder({ family: 'llama', vocab: 32000, hidden: 4096, layers: 32, heads: 32, kvHeads: 32, ffn: 11008, tied: false });
/** Hub config of Qwen/Qwen2.5-3B-Instruct (hidden 2048, 36 layers, 16 heads, 2 KV heads, ffn 11008, vocab 151936, tied, q/k/v bias). */
export const qwen25_3b = decoder({ family: 'qwen2', vocab: 151936, hidden: 2048, layers: 36, heads: 16, kvHeads: 2, ffn: 11008, tied: true, qkvBias: true });
/** Hub config of deepseek-ai/deepseek-llm-7b-chat (llama: hidden 4096, 30 layers, 32 heads, ffn 11008, vocab 102400). */
export const deepseekLlm7b = decoder({ family: 'llama', vocab: 102400, hidden: 4096, layers: 30, heads: 32, kvHeads: 32, ffn: 11008, tied: false });
/** Hub config of Qwen/Qwen1.5-7B-Chat (qwen2: hidden 4096, 32 layers, 32 heads MHA, ffn 11008, vocab 151936, q/k/v bias, untied). */
export const qwen15_7b = decoder({ family: 'qwen2', vocab: 151936, hidden: 4096, layers: 32, heads: 32, kvHeads: 32, ffn: 11008, tied: false, qkvBias: true });

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
