import { fixtureArchitecture } from '@vramkit/fixtures';
import type { Architecture } from '../model/architecture.js';
import { decoder } from './decoder.js';

// Architectures of recorded config.json files (the public catalogue, or @vramkit/fixtures' own
// configs) through normalizeConfig, the way a user's model reaches core.

/** meta-llama/Meta-Llama-3.1-8B: 32 layers, 32 heads, 8 KV heads, head_dim 128. */
export const llama3_8b = fixtureArchitecture('meta-llama/Meta-Llama-3.1-8B');

/** meta-llama/Meta-Llama-3.1-70B: 80 layers, 64 heads, 8 KV heads. */
export const llama3_70b = fixtureArchitecture('meta-llama/Meta-Llama-3.1-70B');

/** The seed-003 model: Qwen3 layout with MHA (32 KV heads), intermediate 11008, vocab 152064. */
export const seed003 = fixtureArchitecture('seed-003/qwen3-8b-mha');

/** google/gemma-3-1b-it: 26 layers, 1 KV head of 256, sliding window 512 except every 6th layer. */
export const gemma3_1b = fixtureArchitecture('google/gemma-3-1b-it');

/** deepseek-ai/DeepSeek-V3 (MLA: kv_lora_rank 512, rope 64, nope 128, v 128, 128 heads), 61 layers, 1 MTP layer. */
export const deepseekV3 = fixtureArchitecture('deepseek-ai/DeepSeek-V3');

/** A one-layer, single-head, fp32 attention block with no MLP: the seed-002 benchmark's shape. */
export function singleHeadAttention(dModel: number): Architecture {
  return decoder({ family: 'bench', vocab: 1, hidden: dModel, layers: 1, heads: 1, kvHeads: 1, headDim: dModel, ffn: 0, mlp: { kind: 'dense', gated: false, intermediateSize: 0, bias: false } });
}
