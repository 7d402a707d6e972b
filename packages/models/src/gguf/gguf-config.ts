import { ConfigValidationError } from '@vramkit/core';
import { ModelParseError } from '../hub/errors.js';
import { type NormalizedConfig, normalizeConfig } from '../normalize/normalize-config.js';
import type { GgufInventory } from './read-gguf.js';

// general.architecture → transformers model_type (llama.cpp src/llama-arch.cpp LLM_ARCH_NAMES).
const MODEL_TYPES: Record<string, string> = {
  llama: 'llama',
  mistral3: 'mistral',
  qwen2: 'qwen2',
  qwen2moe: 'qwen2_moe',
  qwen3: 'qwen3',
  qwen3moe: 'qwen3_moe',
  gemma: 'gemma',
  gemma2: 'gemma2',
  gemma3: 'gemma3_text',
  phi3: 'phi3',
  phi2: 'phi',
  deepseek2: 'deepseek_v3',
  'gpt-oss': 'gpt_oss',
  gpt2: 'gpt2',
  gptneox: 'gpt_neox',
  falcon: 'falcon',
  olmo2: 'olmo2',
  glm4: 'glm4',
  'command-r': 'cohere',
  cohere2: 'cohere2',
  starcoder2: 'starcoder2',
  mamba: 'mamba',
  jamba: 'jamba',
};

/**
 * A `config.json`-shaped object from GGUF metadata (`<arch>.embedding_length`, `.block_count`,
 * `.attention.head_count_kv`, … — llama.cpp gguf-py/gguf/constants.py Keys.LLM / Keys.Attention),
 * so the same normalizers read GGUF files. Mixtral-style files (`llama` with experts) become `mixtral`.
 * @param inv a GGUF inventory
 * @returns the config; `model_type` is the GGUF architecture itself when no mapping is known
 */
export function ggufToConfig(inv: GgufInventory): Record<string, unknown> {
  const m = inv.metadata;
  const a = inv.architecture;
  const num = (key: string): number | undefined => {
    const v = m[`${a}.${key}`];
    return typeof v === 'number' ? v : undefined;
  };
  const numOrList = (key: string): number | number[] | undefined => {
    const v = m[`${a}.${key}`];
    if (typeof v === 'number') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
    return undefined;
  };
  const experts = num('expert_count');
  const sourceKeys = new Map<string, string>();
  for (const [c, g] of Object.entries(GGUF_KEYS)) if (m[`${a}.${g}`] !== undefined) sourceKeys.set(c, `${a}.${g}`);
  let modelType = MODEL_TYPES[a] ?? a;
  if (a === 'llama' && experts) modelType = 'mixtral';
  if (a === 'deepseek2' && !inv.tensors.some((t) => t.role === 'ffn_exp_probs_b')) modelType = 'deepseek_v2';
  const byName = new Map(inv.tensors.map((t) => [t.name, t]));
  const embd = byName.get('token_embd.weight');
  const config: Record<string, unknown> = {
    model_type: modelType,
    hidden_size: num('embedding_length'),
    num_hidden_layers: num('block_count'),
    num_attention_heads: numOrList('attention.head_count'),
    num_key_value_heads: numOrList('attention.head_count_kv'),
    intermediate_size: numOrList('feed_forward_length'),
    max_position_embeddings: num('context_length'),
    // Rows of token_embd are the checkpoint's vocabulary (padded); the tokenizer list can be shorter.
    vocab_size: embd?.shape[0] ?? inv.vocabSize ?? num('vocab_size'),
    tie_word_embeddings: !byName.has('output.weight'),
  };
  const keyLength = num('attention.key_length');
  if (keyLength !== undefined) config.head_dim = keyLength;
  const window = num('attention.sliding_window');
  if (window !== undefined) config.sliding_window = window;
  if (experts) {
    config.num_local_experts = experts;
    config.num_experts = experts;
    config.n_routed_experts = experts;
    config.num_experts_per_tok = num('expert_used_count');
    const ef = num('expert_feed_forward_length');
    if (ef !== undefined) config.moe_intermediate_size = ef;
    const shared = num('expert_shared_count');
    if (shared !== undefined) config.n_shared_experts = shared;
    const dense = num('leading_dense_block_count');
    if (dense !== undefined) config.first_k_dense_replace = dense;
  }
  const qLora = num('attention.q_lora_rank');
  const kvLora = num('attention.kv_lora_rank');
  if (kvLora !== undefined) {
    config.kv_lora_rank = kvLora;
    config.q_lora_rank = qLora ?? null;
    const rope = num('rope.dimension_count') ?? 64;
    config.qk_rope_head_dim = rope;
    if (keyLength !== undefined) config.qk_nope_head_dim = keyLength - rope;
    const vLength = num('attention.value_length');
    if (vLength !== undefined) config.v_head_dim = vLength;
  }
  if (a === 'falcon') {
    // llama.cpp writes head_count_kv for every Falcon; more than one KV head (or a second attention
    // norm) means the 40B/180B "new decoder architecture" (convert_hf_to_gguf.py FalconModel).
    const kv = num('attention.head_count_kv') ?? 1;
    config.new_decoder_architecture = kv > 1 || inv.tensors.some((t) => t.name.endsWith('attn_norm_2.weight'));
    config.num_kv_heads = kv;
    config.multi_query = kv === 1;
  }
  if (a === 'mamba') {
    config.intermediate_size = num('ssm.inner_size');
    config.state_size = num('ssm.state_size');
    config.conv_kernel = num('ssm.conv_kernel');
    config.time_step_rank = num('ssm.time_step_rank');
  }
  for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k];
  Object.defineProperty(config, SOURCE_KEYS, { value: sourceKeys, enumerable: false });
  return config;
}

// The GGUF metadata key (after `<arch>.`) each config field comes from, to name it in errors.
const GGUF_KEYS: Record<string, string> = {
  hidden_size: 'embedding_length',
  num_hidden_layers: 'block_count',
  num_attention_heads: 'attention.head_count',
  num_key_value_heads: 'attention.head_count_kv',
  num_kv_heads: 'attention.head_count_kv',
  intermediate_size: 'feed_forward_length',
  max_position_embeddings: 'context_length',
  head_dim: 'attention.key_length',
  sliding_window: 'attention.sliding_window',
  num_local_experts: 'expert_count',
  num_experts: 'expert_count',
  n_routed_experts: 'expert_count',
  num_experts_per_tok: 'expert_used_count',
  moe_intermediate_size: 'expert_feed_forward_length',
  n_shared_experts: 'expert_shared_count',
  first_k_dense_replace: 'leading_dense_block_count',
  kv_lora_rank: 'attention.kv_lora_rank',
  q_lora_rank: 'attention.q_lora_rank',
  qk_rope_head_dim: 'rope.dimension_count',
  v_head_dim: 'attention.value_length',
  state_size: 'ssm.state_size',
  conv_kernel: 'ssm.conv_kernel',
  time_step_rank: 'ssm.time_step_rank',
};
const SOURCE_KEYS = Symbol('ggufSourceKeys');

/**
 * Normalizes a GGUF header's hyper-parameters like a config.json (unknown architectures read as a
 * generic decoder). A bad or out-of-range value is reported under its GGUF key (`llama.block_count`).
 * @throws ModelParseError naming the GGUF metadata key
 */
export function normalizeGgufConfig(inv: GgufInventory): NormalizedConfig {
  const config = ggufToConfig(inv);
  try {
    return normalizeConfig(config, { allowUnknown: true });
  } catch (e) {
    if (!(e instanceof ConfigValidationError)) throw e;
    const keys = (config as { [SOURCE_KEYS]?: Map<string, string> })[SOURCE_KEYS];
    const issue = e.issues[0];
    const key = issue ? (keys?.get(issue.path) ?? issue.path) : 'metadata';
    throw new ModelParseError(
      inv.file,
      `${key}: ${issue?.message ?? 'invalid'}${e.issues.length > 1 ? ` (and ${e.issues.length - 1} more)` : ''}`,
      { cause: e },
    );
  }
}
