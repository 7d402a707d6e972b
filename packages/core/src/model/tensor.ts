/**
 * What a tensor is for, named after llama.cpp's GGUF tensor names (without `blk.N.` and `.weight`),
 * because that is what quantization recipes key on. Biases carry the role of their weight.
 */
export type TensorRole =
  | 'token_embd'
  | 'token_embd_norm'
  | 'position_embd'
  | 'output'
  | 'output_norm'
  | 'attn_norm'
  | 'attn_q'
  | 'attn_k'
  | 'attn_v'
  | 'attn_qkv'
  | 'attn_output'
  | 'attn_q_norm'
  | 'attn_k_norm'
  | 'attn_sinks'
  | 'attn_q_a'
  | 'attn_q_a_norm'
  | 'attn_q_b'
  | 'attn_kv_a_mqa'
  | 'attn_kv_a_norm'
  | 'attn_kv_b'
  | 'ssm_in'
  | 'ssm_conv1d'
  | 'ssm_x'
  | 'ssm_dt'
  | 'ssm_a'
  | 'ssm_d'
  | 'ssm_norm'
  | 'ssm_out'
  | 'ssm_ba'
  | 'ffn_norm'
  | 'post_attention_norm'
  | 'post_ffw_norm'
  | 'ffn_gate'
  | 'ffn_up'
  | 'ffn_gate_up'
  | 'ffn_down'
  | 'ffn_gate_inp'
  | 'ffn_exp_probs_b'
  | 'ffn_gate_exps'
  | 'ffn_up_exps'
  | 'ffn_gate_up_exps'
  | 'ffn_down_exps'
  | 'ffn_gate_shexp'
  | 'ffn_up_shexp'
  | 'ffn_down_shexp'
  | 'ffn_gate_inp_shexp'
  | 'nextn_eh_proj'
  | 'nextn_norm'
  | 'other';

/**
 * One tensor of a checkpoint. Linear weights are `[out, in]` (PyTorch order); MoE experts are one
 * 3-D tensor per layer `[experts, out, in]`, the way GGUF stores them.
 */
export interface Tensor {
  /** Hugging Face checkpoint name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  role: TensorRole;
  /** `weight` of a linear/embedding, `bias`, or a `norm` scale (and LayerNorm bias); 1-D vectors otherwise `vector`. */
  kind: 'weight' | 'bias' | 'norm' | 'vector';
  /** Decoder layer index; absent for embeddings, final norm and output. */
  layer?: number;
  shape: readonly number[];
  /** Storage dtype when known from a checkpoint (`BF16`, `F32`, a ggml type name, …). */
  dtype?: string;
  /** The module a PEFT `target_modules` entry matches (`q_proj`, `gate_up_proj`, `c_attn`, …). */
  module?: string;
  /** MTP (multi-token prediction) weights: in the checkpoint, skipped at inference by default. */
  mtp?: boolean;
}

/** Number of elements of a tensor: the product of its shape (1 for a scalar). */
export function tensorElements(tensor: Pick<Tensor, 'shape'>): number {
  let n = 1;
  for (const d of tensor.shape) n *= d;
  return n;
}

/** Input features of a linear weight (last dimension); 1-D tensors report their length. */
export function inFeatures(tensor: Pick<Tensor, 'shape'>): number {
  return tensor.shape[tensor.shape.length - 1] ?? 1;
}
