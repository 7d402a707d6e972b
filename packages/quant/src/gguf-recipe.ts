import { type Architecture, type GgmlTypeName, ggmlTypeLayout, isQuantizableWeight, isSoftmaxAttention, type Tensor } from '@vramkit/core';
import type { LlamaFileTypeName } from './llama-file-types.js';

/**
 * Model facts llama.cpp's recipe consults (src/llama-quant.cpp `llama_tensor_get_type_impl`):
 * hparams.n_expert, n_gqa(), whether `output.weight` exists, the model type (70B), layer counts.
 */
export interface GgufRecipeFacts {
  /** `hparams.n_layer` including NextN/MTP layers (`n_layer_all`): the denominator of the layer rules. */
  numLayers: number;
  /** Routed experts per MoE layer (0 or 1 for dense models). */
  nExpert: number;
  /** Query heads per KV head (`n_gqa()`); 1 for MHA. */
  nGqa: number;
  /** No `output.weight`: token_embd takes the output tensor's rule. */
  tiedEmbeddings: boolean;
  /** `model.type == LLM_TYPE_70B` (Llama 2/3 70B, Qwen2 72B): attn_v Q3_K/Q4_K raised to Q5_K. */
  is70B: boolean;
  /** LLM_ARCH_FALCON has its own ffn_down/attn_output rules and Q8_0 output. */
  isFalcon: boolean;
  /** Layers holding an attn_v-like tensor (attn_v, attn_qkv or attn_kv_b), in order; their index is `i_attention_wv`. */
  attnVLayers: readonly number[];
  /** ffn_down-category tensors per layer (2 when routed and shared experts both exist), for the counter rules. */
  ffnDownPerLayer: number;
  /** An importance matrix is given (changes IQ3_XXS, IQ4_* and Q4_0/Q5_0 rules). */
  imatrix: boolean;
}

/**
 * Derives the recipe facts from an architecture.
 * @param arch normalized architecture, or undefined (then: dense, MHA, untied, every layer attention)
 * @param numLayers decoder layers (the recipe's n_layer)
 * @param imatrix whether an importance matrix is assumed
 */
export function ggufRecipeFacts(arch: Architecture | undefined, numLayers: number, imatrix: boolean): GgufRecipeFacts {
  if (!arch) {
    return {
      numLayers,
      nExpert: 0,
      nGqa: 1,
      tiedEmbeddings: false,
      is70B: false,
      isFalcon: false,
      attnVLayers: Array.from({ length: numLayers }, (_, i) => i),
      ffnDownPerLayer: 1,
      imatrix,
    };
  }
  let nExpert = 0;
  let ffnDownPerLayer = 1;
  let nGqa = 1;
  let nHead = 0;
  let nKv = 0;
  const attnVLayers: number[] = [];
  const total = arch.layers.length + arch.mtpLayers;
  for (let i = 0; i < total; i++) {
    const layer = arch.layers[Math.min(i, arch.layers.length - 1)];
    if (!layer) continue;
    if (isSoftmaxAttention(layer.attention)) {
      attnVLayers.push(i);
      if (nHead === 0) {
        nHead = layer.attention.numHeads;
        nKv = layer.attention.numKvHeads;
        nGqa = Math.floor(nHead / Math.max(1, nKv));
      }
    }
    if (layer.mlp.kind === 'moe') {
      nExpert = Math.max(nExpert, layer.mlp.numExperts);
      ffnDownPerLayer = layer.mlp.shared ? 2 : 1;
    }
  }
  // src/llama-model.cpp load_hparams: LLM_ARCH_LLAMA with 80 layers and GQA is LLM_TYPE_70B; Qwen2 80 layers likewise.
  const is70B = (arch.family === 'llama' || arch.family === 'qwen2') && arch.layers.length === 80 && nHead !== nKv;
  return {
    numLayers,
    nExpert,
    nGqa,
    tiedEmbeddings: arch.tiedEmbeddings,
    is70B,
    isFalcon: arch.family === 'falcon',
    attnVLayers,
    ffnDownPerLayer,
    imatrix,
  };
}

type Category =
  | 'token_embd'
  | 'output'
  | 'attn_q'
  | 'attn_k'
  | 'attn_v'
  | 'attn_qkv'
  | 'attn_kv_b'
  | 'attn_output'
  | 'ffn_up'
  | 'ffn_gate'
  | 'ffn_down'
  | 'other';

// src/llama-quant.cpp tensor_get_category: substring matches on the GGUF name.
function category(t: Tensor): Category {
  switch (t.role) {
    case 'output':
      return t.layer === undefined ? 'output' : 'other';
    case 'token_embd':
      return t.layer === undefined ? 'token_embd' : 'other';
    case 'attn_q':
    case 'attn_k':
    case 'attn_v':
    case 'attn_qkv':
    case 'attn_kv_b':
    case 'attn_output':
      return t.role;
    case 'ffn_up':
    case 'ffn_up_exps':
    case 'ffn_up_shexp':
      return 'ffn_up';
    case 'ffn_gate':
    case 'ffn_gate_exps':
    case 'ffn_gate_shexp':
    case 'ffn_gate_up':
    case 'ffn_gate_up_exps':
    case 'ffn_gate_inp_shexp':
      return 'ffn_gate';
    case 'ffn_down':
    case 'ffn_down_exps':
    case 'ffn_down_shexp':
      return 'ffn_down';
    default:
      return 'other';
  }
}

/**
 * Whether llama.cpp quantizes this tensor at all (src/llama-quant.cpp `tensor_allows_quantization`):
 * 2-D/3-D `.weight` tensors except norms, the MoE router `ffn_gate_inp`, position embeddings and
 * `ssm_conv1d`. Everything else keeps the type convert_hf_to_gguf.py wrote: F32 for vectors, biases,
 * routers, position embeddings and conv1d (its "always in float32" list).
 */
export function ggufQuantizable(t: Tensor): boolean {
  return isQuantizableWeight(t, { includeEmbeddings: true });
}

// src/llama-quant.cpp use_more_bits: the first and last eighth, and every third layer between.
function useMoreBits(i: number, n: number): boolean {
  const n8 = Math.trunc(n / 8);
  return i < n8 || i >= Math.trunc((7 * n) / 8) || (i - n8) % 3 === 2;
}

const IQ2_FAMILY = new Set<string>(['IQ2_XXS', 'IQ2_XS', 'IQ1_S', 'IQ2_S', 'IQ2_M', 'IQ1_M']);

/**
 * The ggml type llama.cpp's `llama-quantize` gives one tensor for a file type, porting
 * src/llama-quant.cpp `llama_tensor_get_type` (rules, then `tensor_type_fallback` when the row is not
 * a multiple of the block size). Not quantizable tensors are F32.
 * @param ftype the file type name
 * @param defaultType its default tensor type
 * @param t the tensor (GGUF role, layer, shape with the row last)
 * @param facts model facts from {@link ggufRecipeFacts}
 * @returns the ggml type name
 */
export function ggufTensorType(ftype: LlamaFileTypeName | 'pure', defaultType: GgmlTypeName, t: Tensor, facts: GgufRecipeFacts): GgmlTypeName {
  if (!ggufQuantizable(t)) return 'F32';
  if (!ggmlTypeLayout(defaultType).quantized) return defaultType;
  const chosen = ftype === 'pure' ? defaultType : ruleType(ftype, defaultType, t, facts);
  return fallback(chosen, t.shape[t.shape.length - 1] ?? 1);
}

// src/llama-quant.cpp tensor_type_fallback.
function fallback(type: GgmlTypeName, ncols: number): GgmlTypeName {
  if (ncols % ggmlTypeLayout(type).blockElements === 0) return type;
  let next: GgmlTypeName;
  switch (type) {
    case 'IQ1_S':
    case 'IQ1_M':
    case 'IQ2_XXS':
    case 'IQ2_XS':
    case 'IQ2_S':
    case 'IQ3_XXS':
    case 'IQ3_S':
    case 'IQ4_XS':
      next = 'IQ4_NL';
      break;
    case 'Q2_0':
    case 'Q2_K':
    case 'Q3_K':
    case 'TQ1_0':
    case 'TQ2_0':
      next = 'Q4_0';
      break;
    case 'Q4_K':
      next = 'Q5_0';
      break;
    case 'Q5_K':
      next = 'Q5_1';
      break;
    case 'Q6_K':
      next = 'Q8_0';
      break;
    default:
      next = 'F16';
  }
  return ncols % ggmlTypeLayout(next).blockElements === 0 ? next : 'F16';
}

function ruleType(ftype: LlamaFileTypeName, def: GgmlTypeName, t: Tensor, f: GgufRecipeFacts): GgmlTypeName {
  const cat = category(t);
  const layer = t.layer ?? 0;
  const n = f.numLayers;
  let type: GgmlTypeName = def;
  const iq2 = IQ2_FAMILY.has(ftype);
  const attnVLike = cat === 'attn_v' || cat === 'attn_qkv' || cat === 'attn_kv_b';
  const iAttnV = Math.max(0, f.attnVLayers.indexOf(layer));
  const nAttnV = f.attnVLayers.length;
  if (cat === 'output' || (f.tiedEmbeddings && cat === 'token_embd')) {
    const nx = t.shape[t.shape.length - 1] ?? 1;
    if (ftype === 'MXFP4_MOE') type = 'Q8_0';
    else if (f.isFalcon || nx % ggmlTypeLayout(def).blockElements !== 0) type = 'Q8_0';
    else if (iq2 || ftype === 'IQ3_XXS') type = 'Q5_K';
    else if (type !== 'Q8_0') type = 'Q6_K';
    return type;
  }
  if (ftype === 'MXFP4_MOE') {
    // MoE tensors → MXFP4, other matrices → Q8_0.
    return t.shape.length === 3 && (t.shape[0] ?? 1) > 1 ? 'MXFP4' : 'Q8_0';
  }
  if (cat === 'token_embd') {
    if (ftype === 'IQ2_XXS' || ftype === 'IQ2_XS' || ftype === 'IQ1_S' || ftype === 'IQ1_M') type = 'Q2_K';
    else if (ftype === 'IQ2_S' || ftype === 'IQ2_M' || ftype === 'IQ3_XXS') type = 'IQ3_S';
    else if (ftype === 'TQ1_0' || ftype === 'TQ2_0') type = 'Q4_K';
    return type;
  }
  if (iq2) {
    const iq2sm = ftype === 'IQ2_S' || ftype === 'IQ2_M';
    if (attnVLike) {
      if (f.nGqa >= 4 || f.nExpert >= 4) type = 'Q4_K';
      else type = iq2sm ? 'IQ3_S' : 'Q2_K';
    } else if (f.nExpert === 8 && cat === 'attn_k') {
      type = 'Q4_K';
    } else if (cat === 'ffn_down') {
      // counter rule: i_ffn_down counts ffn_down tensors in name order, n_ffn_down = n_layer.
      const counter = layer * f.ffnDownPerLayer + (t.role === 'ffn_down_shexp' ? 1 : 0);
      if (counter < Math.trunc(n / 8)) type = iq2sm ? 'IQ3_S' : 'Q2_K';
    } else if (cat === 'attn_output') {
      if (f.nExpert === 8) type = 'Q5_K';
      else if (ftype === 'IQ1_S' || ftype === 'IQ1_M') type = 'IQ2_XXS';
      else if (iq2sm) type = 'IQ3_S';
    }
    return type;
  }
  if (attnVLike) {
    if (ftype === 'Q2_K') type = f.nGqa >= 4 ? 'Q4_K' : 'Q3_K';
    else if (ftype === 'Q2_K_S' && f.nGqa >= 4) type = 'Q4_K';
    else if (ftype === 'IQ3_XXS') type = f.nGqa >= 4 ? 'Q4_K' : !f.imatrix ? 'IQ3_S' : 'IQ3_XXS';
    else if ((ftype === 'IQ3_XS' || ftype === 'IQ3_S') && f.nGqa >= 4) type = 'Q4_K';
    else if (ftype === 'IQ3_M') type = 'Q4_K';
    else if (ftype === 'Q3_K_M') type = iAttnV < 2 ? 'Q5_K' : 'Q4_K';
    else if (ftype === 'Q3_K_L') type = 'Q5_K';
    else if ((ftype === 'IQ4_NL' || ftype === 'IQ4_XS') && f.nGqa >= 4) type = 'Q5_K';
    else if ((ftype === 'Q4_K_M' || ftype === 'Q5_K_M') && useMoreBits(iAttnV, nAttnV)) type = 'Q6_K';
    else if (ftype === 'Q4_K_S' && iAttnV < 4) type = 'Q5_K';
    // 70B: attn_v is 8× smaller than attn_q, so more bits cost little.
    if (f.is70B && (type === 'Q3_K' || type === 'Q4_K')) type = 'Q5_K';
    if (f.nExpert === 8) type = 'Q8_0';
    return type;
  }
  if (cat === 'attn_k') {
    if (f.nExpert === 8) type = 'Q8_0';
    else if (ftype === 'IQ3_XS') type = 'IQ3_XXS';
    else if (ftype === 'IQ3_XXS') type = 'IQ2_S';
    return type;
  }
  if (cat === 'attn_q') {
    if (ftype === 'IQ3_XS') type = 'IQ3_XXS';
    else if (ftype === 'IQ3_XXS') type = 'IQ2_S';
    return type;
  }
  if (cat === 'ffn_down') {
    const i = layer;
    if (ftype === 'Q2_K') type = 'Q3_K';
    else if (ftype === 'Q2_K_S') {
      if (i < Math.trunc(n / 8)) type = 'Q4_K';
    } else if (ftype === 'IQ3_XXS' && !f.imatrix) type = i < Math.trunc(n / 8) ? 'Q4_K' : 'Q3_K';
    else if (ftype === 'Q3_K_M') {
      type = i < Math.trunc(n / 16) ? 'Q5_K' : !f.isFalcon || useMoreBits(i, n) ? 'Q4_K' : 'Q3_K';
    } else if (ftype === 'IQ3_M' && (i < Math.trunc(n / 8) || (f.nExpert === 8 && useMoreBits(i, n)))) type = 'Q4_K';
    else if (ftype === 'Q3_K_L') type = f.isFalcon ? 'Q4_K' : 'Q5_K';
    else if (ftype === 'Q4_K_M') {
      if (f.isFalcon) type = i < Math.trunc(n / 16) ? 'Q6_K' : useMoreBits(i, n) ? 'Q5_K' : 'Q4_K';
      else if (useMoreBits(i, n)) type = 'Q6_K';
    } else if (i < Math.trunc(n / 8) && (ftype === 'IQ4_NL' || ftype === 'IQ4_XS') && !f.imatrix) type = 'Q5_K';
    else if (ftype === 'Q5_K_M' && useMoreBits(i, n)) type = 'Q6_K';
    else if (ftype === 'Q4_K_S' && !f.isFalcon && i < Math.trunc(n / 8)) type = 'Q5_K';
    else if ((ftype === 'Q4_0' || ftype === 'Q5_0') && f.imatrix && i < Math.trunc(n / 8)) {
      type = ftype === 'Q4_0' ? 'Q4_1' : 'Q5_1';
    }
    return type;
  }
  if (cat === 'attn_output') {
    if (!f.isFalcon) {
      if (f.nExpert === 8) {
        const raise = ['Q2_K', 'IQ3_XS', 'IQ3_XXS', 'Q3_K_S', 'Q3_K_M', 'IQ4_NL', 'Q4_K_S', 'Q4_K_M', 'IQ3_S', 'IQ3_M', 'IQ4_XS'];
        if (raise.includes(ftype)) type = 'Q5_K';
      } else if (ftype === 'Q2_K') type = 'Q3_K';
      else if (ftype === 'IQ3_XXS') type = 'IQ3_S';
      else if (ftype === 'Q3_K_M') type = 'Q4_K';
      else if (ftype === 'Q3_K_L') type = 'Q5_K';
      else if (ftype === 'IQ3_M') type = 'Q4_K';
    } else if (ftype === 'Q3_K_L') type = 'Q4_K';
    return type;
  }
  if (cat === 'ffn_gate' || cat === 'ffn_up') {
    if (ftype === 'IQ3_XS' && layer >= Math.trunc(n / 8) && layer < Math.trunc((7 * n) / 8)) type = 'IQ3_XXS';
    return type;
  }
  return type;
}
