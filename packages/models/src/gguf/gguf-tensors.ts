import type { Tensor, TensorRole } from '@vramkit/core';
import { NORM_ROLES } from '../safetensors/tensor-roles.js';

// The roles core knows; a GGUF tensor with another base name keeps role `other`.
const ROLES = new Set<string>([
  'token_embd',
  'token_embd_norm',
  'position_embd',
  'output',
  'output_norm',
  'attn_norm',
  'attn_q',
  'attn_k',
  'attn_v',
  'attn_qkv',
  'attn_output',
  'attn_q_norm',
  'attn_k_norm',
  'attn_sinks',
  'attn_q_a',
  'attn_q_a_norm',
  'attn_q_b',
  'attn_kv_a_mqa',
  'attn_kv_a_norm',
  'attn_kv_b',
  'ssm_in',
  'ssm_conv1d',
  'ssm_x',
  'ssm_dt',
  'ssm_a',
  'ssm_d',
  'ssm_norm',
  'ssm_out',
  'ssm_ba',
  'ffn_norm',
  'post_attention_norm',
  'post_ffw_norm',
  'ffn_gate',
  'ffn_up',
  'ffn_gate_up',
  'ffn_down',
  'ffn_gate_inp',
  'ffn_exp_probs_b',
  'ffn_gate_exps',
  'ffn_up_exps',
  'ffn_gate_up_exps',
  'ffn_down_exps',
  'ffn_gate_shexp',
  'ffn_up_shexp',
  'ffn_down_shexp',
  'ffn_gate_inp_shexp',
  'nextn_eh_proj',
  'nextn_norm',
]);

// llama.cpp names a few base tensors differently from core's roles (gguf-py/gguf/constants.py TENSOR_NAMES).
const ALIASES: Record<string, TensorRole> = {
  attn_post_norm: 'post_attention_norm',
  ffn_post_norm: 'post_ffw_norm',
  exp_probs_b: 'ffn_exp_probs_b',
  ffn_exp_probs_b: 'ffn_exp_probs_b',
  'nextn.eh_proj': 'nextn_eh_proj',
  'nextn.enorm': 'nextn_norm',
  'nextn.hnorm': 'nextn_norm',
  'nextn.shared_head_norm': 'nextn_norm',
  'nextn.shared_head_head': 'output',
  'nextn.embed_tokens': 'token_embd',
};

/**
 * Tensors llama.cpp's converter adds that are not checkpoint weights: `rope_freqs` holds Llama 3
 * RoPE scaling factors computed from the config (convert_hf_to_gguf.py LlamaModel.generate_extra_tensors).
 */
export function isGgufDerivedTensor(name: string): boolean {
  return name === 'rope_freqs.weight' || name.endsWith('.rope_freqs.weight');
}

/**
 * A GGUF tensor as a core {@link Tensor}: the GGUF name kept, role from the base name, layer from
 * `blk.N.`, shape turned from ggml order (ne0 = in_features first) to PyTorch order `[out, in]`
 * (`[experts, out, in]`), and the ggml type name as dtype.
 * @param name GGUF tensor name, e.g. `blk.3.ffn_down_exps.weight`
 * @param ne ggml dimensions, ne0 first
 * @param dtype ggml type name (`Q4_K`, `F32`, …)
 */
export function ggufTensor(name: string, ne: readonly number[], dtype: string): Tensor {
  const m = /^blk\.(\d+)\.(.+?)(?:\.(weight|bias))?$/.exec(name);
  const base = m ? m[2]! : name.replace(/\.(weight|bias)$/, '');
  const suffix = m ? m[3] : /\.(weight|bias)$/.exec(name)?.[1];
  const role: TensorRole = ALIASES[base] ?? (ROLES.has(base) ? (base as TensorRole) : 'other');
  const shape = [...ne].reverse();
  const kind: Tensor['kind'] =
    suffix === 'bias' ? 'bias' : NORM_ROLES.has(role) ? 'norm' : shape.length <= 1 ? 'vector' : 'weight';
  const t: Tensor = { name, role, kind, shape, dtype };
  if (m) t.layer = Number(m[1]);
  return t;
}

/**
 * The GGUF name llama.cpp gives a checkpoint tensor of this role (the inverse of {@link ggufTensor}
 * for the roles core synthesizes), e.g. `blk.0.attn_q.weight`.
 */
export function ggufNameFor(tensor: Pick<Tensor, 'role' | 'kind' | 'layer' | 'name'>): string {
  const suffix = tensor.kind === 'bias' ? 'bias' : 'weight';
  if (tensor.role === 'ssm_a' || tensor.role === 'ssm_d') return `blk.${tensor.layer}.${tensor.role}`;
  if (tensor.layer === undefined) return `${tensor.role}.${suffix}`;
  return `blk.${tensor.layer}.${tensor.role}.${suffix}`;
}
