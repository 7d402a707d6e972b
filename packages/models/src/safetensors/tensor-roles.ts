import type { Tensor, TensorRole } from '@vramkit/core';

// Hugging Face module names → GGUF-style roles, after llama.cpp gguf-py/gguf/tensor_mapping.py
// (TensorNameMap: MODEL_TENSOR.ATTN_Q ← "model.layers.{bid}.self_attn.q_proj", etc.).
const MODULE_ROLES: Record<string, TensorRole> = {
  q_proj: 'attn_q',
  k_proj: 'attn_k',
  v_proj: 'attn_v',
  o_proj: 'attn_output',
  out_proj: 'attn_output',
  qkv_proj: 'attn_qkv',
  c_attn: 'attn_qkv',
  query_key_value: 'attn_qkv',
  Wqkv: 'attn_qkv',
  q_norm: 'attn_q_norm',
  k_norm: 'attn_k_norm',
  q_layernorm: 'attn_q_norm',
  k_layernorm: 'attn_k_norm',
  q_a_proj: 'attn_q_a',
  q_a_layernorm: 'attn_q_a_norm',
  q_b_proj: 'attn_q_b',
  kv_a_proj_with_mqa: 'attn_kv_a_mqa',
  kv_a_layernorm: 'attn_kv_a_norm',
  kv_b_proj: 'attn_kv_b',
  sinks: 'attn_sinks',
  gate_proj: 'ffn_gate',
  up_proj: 'ffn_up',
  down_proj: 'ffn_down',
  gate_up_proj: 'ffn_gate_up',
  c_fc: 'ffn_up',
  fc1: 'ffn_up',
  fc2: 'ffn_down',
  w1: 'ffn_gate',
  w3: 'ffn_up',
  w2: 'ffn_down',
  dense_h_to_4h: 'ffn_up',
  dense_4h_to_h: 'ffn_down',
  input_layernorm: 'attn_norm',
  ln_1: 'attn_norm',
  ln_attn: 'attn_norm',
  pre_feedforward_layernorm: 'ffn_norm',
  ln_2: 'ffn_norm',
  ln_mlp: 'ffn_norm',
  post_feedforward_layernorm: 'post_ffw_norm',
  in_proj: 'ssm_in',
  in_proj_qkvz: 'ssm_in',
  in_proj_ba: 'ssm_ba',
  conv1d: 'ssm_conv1d',
  x_proj: 'ssm_x',
  dt_proj: 'ssm_dt',
  dt_bias: 'ssm_dt',
  A_log: 'ssm_a',
  D: 'ssm_d',
  eh_proj: 'nextn_eh_proj',
  enorm: 'nextn_norm',
  hnorm: 'nextn_norm',
  shared_expert_gate: 'ffn_gate_inp_shexp',
};

const EXPERT_ROLES: Partial<Record<TensorRole, TensorRole>> = {
  ffn_gate: 'ffn_gate_exps',
  ffn_up: 'ffn_up_exps',
  ffn_down: 'ffn_down_exps',
  ffn_gate_up: 'ffn_gate_up_exps',
};
const SHARED_ROLES: Partial<Record<TensorRole, TensorRole>> = {
  ffn_gate: 'ffn_gate_shexp',
  ffn_up: 'ffn_up_shexp',
  ffn_down: 'ffn_down_shexp',
};

/** The roles whose tensors are norm weights (kind `norm`), for every reader (safetensors, GGUF). */
export const NORM_ROLES: ReadonlySet<TensorRole> = new Set<TensorRole>([
  'attn_norm',
  'ffn_norm',
  'post_attention_norm',
  'post_ffw_norm',
  'output_norm',
  'token_embd_norm',
  'attn_q_norm',
  'attn_k_norm',
  'attn_q_a_norm',
  'attn_kv_a_norm',
  'ssm_norm',
  'nextn_norm',
]);

// Multimodal wrappers keep the language model under one of these and the vision tower beside it.
const VISION_PART =
  /(^|\.)(vision_tower|vision_model|visual|vision_encoder|multi_modal_projector|mm_projector|image_newline|vision_embed_tokens|audio_tower|embed_vision|embed_audio)(\.|$)/;

/** True for tensors of a vision/audio tower or projector of a multimodal checkpoint. */
export function isNonTextTensor(name: string): boolean {
  return VISION_PART.test(name);
}

/**
 * Classifies a Hugging Face checkpoint tensor: its GGUF-style role, layer index and kind.
 * Unknown names get role `other` (they still count as parameters).
 * @param name checkpoint name, e.g. `model.layers.3.mlp.experts.7.down_proj.weight`
 * @param shape the tensor's shape as stored
 * @param dtype the stored dtype
 * @param mtpFrom first layer index that is an MTP layer (DeepSeek-V3: `num_hidden_layers`), if any
 */
export function classifyTensor(
  name: string,
  shape: readonly number[],
  dtype: string | undefined,
  mtpFrom?: number,
): Tensor {
  const parts = name.split('.');
  const last = parts[parts.length - 1] ?? '';
  const isBias =
    last === 'bias' || (last.endsWith('_bias') && last !== 'dt_bias' && last !== 'e_score_correction_bias');
  const layerMatch = /(?:^|\.)(?:layers|h|blocks|block|decoder_layers)\.(\d+)\./.exec(name);
  const layer = layerMatch ? Number(layerMatch[1]) : undefined;
  // Parameters without a `.weight` suffix name themselves (A_log, dt_bias, sinks); gpt-oss suffixes its
  // expert tensors (`gate_up_proj_bias`, MXFP4 `_blocks`/`_scales`).
  const moduleName =
    last === 'weight' || last === 'bias'
      ? (parts[parts.length - 2] ?? '')
      : last in MODULE_ROLES
        ? last
        : last.replace(/_(bias|blocks|scales)$/, '');
  let role: TensorRole = 'other';
  if (VISION_PART.test(name)) {
    role = 'other';
  } else if (layer === undefined) {
    if (/(embed_tokens|wte|embed_in|word_embeddings|embeddings|tok_embeddings)$/.test(parts.slice(0, -1).join('.')))
      role = 'token_embd';
    // BLOOM's norm over the word embeddings (modeling_bloom.py BloomModel.word_embeddings_layernorm).
    else if (/word_embeddings_layernorm$/.test(parts.slice(0, -1).join('.'))) role = 'token_embd_norm';
    else if (/(wpe|embed_positions|position_embeddings)$/.test(parts.slice(0, -1).join('.'))) role = 'position_embd';
    else if (
      /^(lm_head|embed_out|output)$/.test(parts.slice(0, -1).join('.')) ||
      /\.lm_head$/.test(parts.slice(0, -1).join('.'))
    )
      role = 'output';
    else if (/(^|\.)(norm|ln_f|final_layer_norm|norm_f|final_layernorm)$/.test(parts.slice(0, -1).join('.')))
      role = 'output_norm';
  } else if (last === 'e_score_correction_bias') {
    role = 'ffn_exp_probs_b';
  } else if (
    (moduleName === 'gate' && /\.(mlp|block_sparse_moe|feed_forward)\.gate\./.test(name + '.')) ||
    moduleName === 'router'
  ) {
    role = 'ffn_gate_inp';
  } else if (moduleName === 'post_attention_layernorm') {
    role = 'post_attention_norm';
  } else if (moduleName === 'c_proj' || moduleName === 'dense') {
    role = /\.(attn|attention|self_attention|self_attn)\./.test(name) ? 'attn_output' : 'ffn_down';
  } else if (moduleName === 'embed_tokens' && mtpFrom !== undefined) {
    role = 'token_embd';
  } else if (moduleName === 'head' && name.includes('shared_head')) {
    role = 'output';
  } else if (moduleName === 'norm' && name.includes('shared_head')) {
    role = 'nextn_norm';
  } else if (moduleName === 'out_proj' && /\.(mixer|mamba|linear_attn)\./.test(name)) {
    role = 'ssm_out';
  } else if (moduleName === 'norm' && /\.(mixer|linear_attn)\./.test(name)) {
    role = 'ssm_norm';
  } else if (moduleName === 'norm') {
    role = 'attn_norm';
  } else {
    role = MODULE_ROLES[moduleName] ?? 'other';
    if (/\.experts\.|\.experts$/.test(name) && !name.includes('shared_expert')) role = EXPERT_ROLES[role] ?? role;
    else if (/\.shared_experts?\./.test(name)) role = SHARED_ROLES[role] ?? role;
  }
  // Parameters stored without a `.weight` suffix (A_log, D, sinks, correction biases) are vectors in core's
  // terms, except gpt-oss's fused expert matrices (`experts.gate_up_proj`).
  const matrix = shape.length > 1 && (last === 'weight' || role.endsWith('_exps'));
  const kind: Tensor['kind'] = isBias ? 'bias' : NORM_ROLES.has(role) ? 'norm' : matrix ? 'weight' : 'vector';
  const tensor: Tensor = { name, role, kind, shape: [...shape] };
  if (layer !== undefined) tensor.layer = layer;
  if (dtype !== undefined) tensor.dtype = dtype;
  if (moduleName) tensor.module = moduleName;
  if (mtpFrom !== undefined && layer !== undefined && layer >= mtpFrom) tensor.mtp = true;
  return tensor;
}
