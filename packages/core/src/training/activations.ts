import {
  type Architecture,
  isSoftmaxAttention,
  type LayerSpec,
  type LinearAttentionSpec,
  type SoftmaxAttentionSpec,
} from '../model/architecture.js';
import { type BreakdownPart, part } from '../memory/breakdown.js';
import { layerClasses } from '../model/layer-classes.js';

/** Which weights receive gradients, for deciding which inputs autograd must keep. */
export type TrainableSet =
  | 'all'
  | {
      /** Leaf names of adapted modules (`q_proj`, `down_proj`, …). */
      modules: ReadonlySet<string>;
      rank: number;
      dora: boolean;
      /** `lora_dropout > 0`: each adapter keeps its own dropped-out input and mask. */
      dropout: boolean;
      /**
       * Bytes of an adapter weight element. peft keeps adapters in fp32 on a bf16/fp16 base
       * (`autocast_adapter_dtype=True`) and casts each adapted module's input to fp32 before lora_A
       * (tuners/lora/layer.py `_cast_input_dtype`), so every adapted module saves its own fp32 copy of
       * its input; torchtune's adapters are in the compute dtype and share the input. Default: compute.
       */
      adapterBytes?: number;
      /**
       * Fused 3-D expert parameters adapted in each MoE layer (peft ParamWrapper on transformers ≥ 5
       * experts, `AdaptedModule.count` experts at `rank`): the forward builds W + B·A per expert and
       * the grouped matmul saves that merged weight, plus the per-expert A and B it was built from.
       */
      fusedExperts?: ReadonlyArray<{ inFeatures: number; outFeatures: number; experts: number; rank: number }>;
    };

/** Options of {@link trainingActivationBytes}. */
export interface TrainingActivationOptions {
  /** Tokens per sequence. */
  seq: number;
  /** Sequences per micro-batch (per data-parallel rank). */
  microBatch: number;
  /** Bytes of an activation element (2 for bf16/fp16 compute, 4 for fp32). */
  computeBytes: number;
  /** Bytes of hidden-size tensors (residual stream, norm outputs); 4 when prepare_model_for_kbit_training upcast norms to fp32. */
  hiddenBytes?: number;
  /** `flash` (FlashAttention-2 / SDPA: q, k, v, out and the fp32 log-sum-exp) or `naive` (eager: s × s probabilities kept). */
  attention: 'flash' | 'naive';
  /** `full`: keep each checkpointed block's input and recompute it; `selective`: recompute the attention core only (Korthikanti et al. §5). */
  checkpointing: 'none' | 'selective' | 'full' | 'op-level';
  /** With full checkpointing, checkpoint every k layers (k = 1: every layer; k ≈ √L balances the two terms, seed 004). */
  checkpointEvery?: number;
  /** `eager` (HF/torchtune modules: RMSNorm saves an fp32 copy of its input) or `fused` (Megatron/Liger/compiled kernels). */
  kernels: 'eager' | 'fused';
  /** Loss head: `hf` (full fp32 logits), `chunked` (torchtune CEWithChunkedOutputLoss, compiled), `fused` (Liger / cut-cross-entropy: logits never materialized), `vocab-parallel` (Megatron-Core: one fp32 copy, softmax in place). */
  loss: 'hf' | 'chunked' | 'fused' | 'vocab-parallel';
  trainable: TrainableSet;
  /** Tensor-parallel degree and whether sequence parallelism shards the replicated hidden tensors. */
  tp?: number;
  sequenceParallel?: boolean;
  /** Context-parallel degree (the sequence is split across ranks). */
  cp?: number;
  /** Pipeline stages and micro-batches per step (bounds the in-flight micro-batches of 1F1B). */
  pp?: number;
  microBatchesPerStep?: number;
  /** Activation offloading (torchtune OffloadActivations): checkpointed block inputs live in host memory. */
  offload?: boolean;
  /**
   * Dropout in training (attention probabilities and the two residual branches), as in GPT/Megatron
   * pre-training: adds the masks (1 B) and the dropped probabilities. Default false (modern
   * fine-tuning and most LLM pre-training use 0).
   */
  dropout?: boolean;
  /** Naive attention softmax output: fp32 (HF eager `softmax(dtype=float32)`) or the compute dtype (Megatron fused softmax, HF GPT-2). Default: the family's HF eager code. */
  softmax?: 'fp32' | 'compute';
  /** MoE capacity factor (Switch/GShard): expert buffers padded to `factor × tokens × topK / experts`; absent = dropless. */
  moeCapacityFactor?: number;
  /** A transient weight-sized buffer in forward/backward (the dequantized NF4 weight of QLoRA), bytes. */
  transientBytes?: number;
  /**
   * Device the SDPA kernels run on (`attention: 'flash'`), which decides torch's SDPA backend per layer
   * ({@link sdpaBackend}): `cuda` (default) or `cpu`. Ignored by eager attention.
   */
  attentionDevice?: AttentionDevice;
  /**
   * Gated DeltaNet layers (Qwen3-Next): `fla` (default: flash-linear-attention's chunk_gated_delta_rule
   * and causal-conv1d, which keep their inputs) or `torch` (neither installed: transformers' PyTorch
   * fallbacks, which save every fp32 chunk intermediate; {@link torchLinearAttentionSaved}).
   */
  linearAttentionKernels?: 'fla' | 'torch';
}

/** Device of torch's scaled_dot_product_attention, for its backend choice. */
export type AttentionDevice = 'cuda' | 'cpu';
/** torch SDPA backends: flash (CPU flash / FlashAttention-2), memory-efficient (CUDA), math (composite fallback). */
export type SdpaBackend = 'flash' | 'efficient' | 'math';

/**
 * The backend torch's scaled_dot_product_attention picks for one layer.
 * CPU (aten/src/ATen/native/transformers/sdp_utils_cpp.cpp select_sdp_backend_cpp): flash, unless
 * dropout is on or q, k and v do not share one head dim (check_for_dropout, check_head_dim_size_cpp),
 * else math. CUDA (sdp_utils.cpp select_sdp_backend, order flash → efficient → math): flash needs fp16/bf16
 * and q = k = v head dim ≤ 256 (check_flash_attention_dtype, check_head_dim_size_flash); the
 * memory-efficient kernel takes fp32 and a v head dim of its own, both multiples of 16 bytes' elements
 * (check_head_dim_size_mem_efficient); else math.
 */
export function sdpaBackend(
  device: AttentionDevice,
  qkHeadDim: number,
  vHeadDim: number,
  elementBytes: number,
  dropout: boolean,
): SdpaBackend {
  const same = qkHeadDim === vHeadDim;
  if (device === 'cpu') return same && !dropout ? 'flash' : 'math';
  if (elementBytes === 2 && same && qkHeadDim <= 256) return 'flash';
  const align = 16 / elementBytes;
  return qkHeadDim % align === 0 && vHeadDim % align === 0 ? 'efficient' : 'math';
}

/** Result of {@link trainingActivationBytes}: the activation part and the logits/loss part. */
export interface TrainingActivations {
  activations: BreakdownPart;
  logits: BreakdownPart;
  /** Saved bytes of one layer (the largest class) for one micro-batch, before checkpointing. */
  perLayerBytes: number;
  /** Activation bytes offloaded to host memory. */
  hostBytes: number;
}

interface LayerSaved {
  /** Per token. */
  bytes: number;
  scores: number;
  /** Per layer, independent of the tokens (merged expert weights of peft's ParamWrapper). */
  fixed: number;
}

const ATTN_IN = new Set([
  'q_proj',
  'k_proj',
  'v_proj',
  'qkv_proj',
  'c_attn',
  'query_key_value',
  'q_a_proj',
  'kv_a_proj_with_mqa',
  'in_proj_qkvz',
  'in_proj_ba',
  'in_proj',
  'W_pack',
]);
const ATTN_OUT = new Set(['o_proj', 'c_proj', 'dense', 'out_proj']);
/**
 * Gated DeltaNet's projections (modeling_qwen3_next.py Qwen3NextGatedDeltaNet): in a hybrid stack the
 * adapter set names both mixers' modules, and each layer holds only its own; softmax layers hold none of
 * the recurrent mixers' (`in_proj*`, `out_proj`: Gated DeltaNet, Mamba).
 */
const LINEAR_ATTN_IN = new Set(['in_proj_qkvz', 'in_proj_ba']);
const LINEAR_ATTN_OUT = new Set(['out_proj']);
const SOFTMAX_ATTN_IN = new Set([...ATTN_IN].filter((m) => !m.startsWith('in_proj')));
const SOFTMAX_ATTN_OUT = new Set([...ATTN_OUT].filter((m) => m !== 'out_proj'));
const MLP_IN = new Set(['gate_proj', 'up_proj', 'gate_up_proj', 'c_fc', 'dense_h_to_4h', 'w1', 'w3', 'gate']);
const ROUTER = new Set(['gate', 'router']);
const EXPERT_IN = new Set(['gate_proj', 'up_proj', 'gate_up_proj', 'w1', 'w3']);
const MLP_MID = new Set(['down_proj', 'dense_4h_to_h', 'w2', 'c_proj']);

/**
 * Families whose RMSNorm scales in fp32 and casts afterwards (transformers modeling_gemma*.py
 * GemmaRMSNorm: `self._norm(x.float()) * (1.0 + self.weight.float())`), so a trained scale keeps the
 * fp32 normalized input instead of the compute-dtype one (LlamaRMSNorm: `weight * x.to(input_dtype)`);
 * GptOssRMSNorm and Olmo2RMSNorm multiply in fp32 too (`(self.weight * x).to(input_dtype)`), and Qwen3NextRMSNorm is Gemma's.
 */
const FP32_NORM_OUTPUT = new Set(['gemma', 'gemma2', 'gemma3', 'gemma3_text', 'gpt_oss', 'olmo2', 'qwen3_next']);

/**
 * Extra FFN-sized tensors the MLP activation saves beyond its input, by family: GPT-2's `gelu_new`
 * (transformers activations.py NewGELUActivation) is a chain of elementwise ops, and pow, tanh and the
 * final product save x³'s input, tanh's output, 0.5·x and 1 + tanh (4 tensors where a fused GELU or
 * SiLU saves its input only: 3 more).
 */
const ACTIVATION_SAVES: Record<string, number> = {
  gpt2: 3,
  // modeling_gpt_oss.py GptOssExperts: clamp, sigmoid(α·gate), gate·σ and (up + 1)·glu keep the clamped
  // gate, up + 1 and glu beyond the gate_up output, σ and the product (per routed copy).
  gpt_oss: 3,
};

/** Families whose router runs in fp32 on a cast copy of its input (modeling_deepseek_v2/v3.py MoEGate; Kimi K2 is DeepSeek-V3). */
const FP32_ROUTER = new Set(['deepseek_v2', 'deepseek_v3', 'kimi_k2']);

/**
 * Families whose head soft-caps the logits (modeling_gemma2.py Gemma2ForCausalLM: `tanh(logits / cap) * cap`,
 * final_logit_softcapping 30 in every Gemma 2 config): tanh saves its output, one more logit-sized tensor
 * alive through the loss backward.
 */
const LOGIT_SOFTCAP = new Set(['gemma2']);

/** Families whose eager attention softmax runs in the compute dtype (modeling_gpt2.py `softmax(w, dim=-1)`; modeling_gpt_oss.py `softmax(..., dtype=logits.dtype)`). */
const COMPUTE_SOFTMAX = new Set(['gpt2', 'gpt_oss', 'llama4', 'llama4_text']);

/**
 * Bytes a norm over `width` features keeps per token (and per `groups` normalized vectors, for per-head
 * q/k norms). LayerNorm is one kernel (torch native_layer_norm saves input, mean and rstd) with any
 * kernels; eager RMSNorm (LlamaRMSNorm) keeps the fp32 upcast input (pow) and the per-row rsqrt, plus
 * the normalized input of the scale when the scale trains; fused kernels keep the input and rstd.
 */
function normSaved(
  arch: Architecture,
  o: TrainingActivationOptions,
  width: number,
  trained: boolean,
  groups = 1,
): number {
  const ah = o.hiddenBytes ?? o.computeBytes;
  if (arch.norm === 'layernorm') return ah * width + 8 * groups;
  if (o.kernels !== 'eager') return ah * width + 4 * groups;
  const scaled = trained ? (FP32_NORM_OUTPUT.has(arch.family) ? 4 : ah) * width : 0;
  return 4 * width + 4 * groups + scaled;
}

function adapted(t: TrainableSet, group: Set<string>): boolean {
  if (t === 'all') return true;
  for (const m of t.modules) if (group.has(m)) return true;
  return false;
}

function adapterBytesOf(t: TrainableSet, a: number): number {
  return t === 'all' ? a : (t.adapterBytes ?? a);
}

function adaptedCount(t: TrainableSet, group: Set<string>): number {
  if (t === 'all') return 0;
  let n = 0;
  for (const m of t.modules) if (group.has(m)) n += 1;
  return n;
}

/**
 * Inputs of a group of linears kept for backward, per token: one shared copy (in the activation
 * dtype) when a trained weight reads it, or — with adapters in another dtype than the activations —
 * one cast copy per adapted module.
 */
function linearInputs(t: TrainableSet, group: Set<string>, inFeatures: number, shared: number, a: number): number {
  if (!adapted(t, group)) return 0;
  const ab = adapterBytesOf(t, a);
  return ab === a ? shared * inFeatures : adaptedCount(t, group) * ab * inFeatures;
}

function loraExtras(
  t: TrainableSet,
  group: Set<string>,
  inFeatures: number,
  outFeatures: number,
  routedCopies: number,
  a: number,
): number {
  if (t === 'all') return 0;
  const ab = adapterBytesOf(t, a);
  let n = 0;
  for (const m of t.modules) {
    if (!group.has(m)) continue;
    // x @ A (r values) is kept for B's gradient; dropout keeps its output and a bool mask.
    n += routedCopies * (ab * t.rank + (t.dropout ? (ab + 1) * inFeatures : 0) + (t.dora ? 2 * a * outFeatures : 0));
  }
  return n;
}

/**
 * Families whose rope ends in a concatenation (modeling_phi3.py and modeling_qwen3_next.py
 * apply_rotary_pos_emb: `torch.cat([rotated, pass], dim=-1)`; MLA's `torch.cat((q_nope, q_pe))`), so
 * the query reaching SDPA is head-major contiguous rather than a transposed token-major view.
 */
const HEAD_MAJOR_QUERY = new Set(['phi3', 'qwen3_next']);

/**
 * Families whose q, k and v are `reshape(batch × heads, seq, head_dim)` of transposed slices of the fused
 * output (modeling_bloom.py BloomAttention: `_reshape`, then `reshape(batch_size * num_heads, …)`): with
 * one sequence the query's reshape is a view that keeps the whole fused output alive, with more it is a
 * copy and the fused output is freed (measured on bloom-560m widths, CPU bf16, batch 1 and 2). The ALiBi
 * bias BloomModel builds ([batch × heads, 1, seq], build_alibi_tensor) is an input of baddbmm, not saved.
 */
const BATCH_MERGED_QKV = new Set(['bloom']);

/** Families without rope (learned positions: GPT-2), whose q and k stay views of their projection. */
const ROPE_FREE = new Set(['gpt2']);

/**
 * Elements per token a fused q/k/v projection (Phi-3 `qkv_proj`, GPT-2 `c_attn`) adds to what is saved
 * when V is saved as a view: the view keeps the whole fused output alive (modeling_phi3.py slices
 * `qkv[..., a:b]`), and with rope q and k are new tensors (rotated), so the q and k parts of the fused
 * storage are kept besides them. Without rope q, k and v are all views of one storage: nothing extra.
 */
function fusedQkvExtra(
  arch: Architecture,
  at: SoftmaxAttentionSpec,
  qd: number,
  kd: number,
  microBatch: number,
): number {
  if (!at.fusedQkv || ROPE_FREE.has(arch.family)) return 0;
  if (BATCH_MERGED_QKV.has(arch.family)) return microBatch === 1 ? qd + kd : 0;
  return qd + kd;
}

interface AttentionDims {
  qd: number;
  kd: number;
  vd: number;
  od: number;
  qHead: number;
  vHead: number;
  kvHeads: number;
}

/**
 * What torch's scaled_dot_product_attention saves per token for one layer, by the backend it picks
 * ({@link sdpaBackend}), plus the copy o_proj reads when the output is head-major.
 * - flash (CPU `_scaled_dot_product_flash_attention_cpu`, CUDA FlashAttention-2) and memory-efficient
 *   (`_efficient_attention_forward`): q, k, v as given (V's storage: a view of MLA's kv_b_proj output or
 *   of a fused q/k/v output), out and the fp32 log-sum-exp per head (memory-efficient pads it to 32
 *   rows, below 0.1%). The CPU flash output is `empty_like(query)` and FlashAttention-2's `empty_like(q)`:
 *   with a head-major query the output is head-major, and transformers' sdpa_attention_forward
 *   (`transpose(1, 2).contiguous()`) makes a token-major copy, which o_proj saves; the memory-efficient
 *   kernel writes token-major (`at::empty({B, M, num_heads, Kv})`), a view.
 * - math (attention.cpp `_scaled_dot_product_attention_math`): a 16-bit q, k, v is upcast to fp32
 *   (unless allowFP16BF16ReductionMathSDP), q·√scale and kᵀ·√scale are saved by the first matmul,
 *   the fp32 softmax output and value_acc (the fp32 copy, or V itself in fp32) by the second; the output
 *   is cast back head-major, so o_proj saves a token-major copy.
 */
function sdpaSaved(
  arch: Architecture,
  at: SoftmaxAttentionSpec,
  o: TrainingActivationOptions,
  keys: number,
  d: AttentionDims,
): { bytes: number; scores: number } {
  const a = o.computeBytes;
  const tp = o.tp ?? 1;
  const t = o.trainable;
  const backend = sdpaBackend(o.attentionDevice ?? 'cuda', d.qHead, d.vHead, a, o.dropout ?? false);
  const vStore = at.mla
    ? at.numHeads * (at.mla.qkNopeHeadDim + at.mla.vHeadDim)
    : d.vd + fusedQkvExtra(arch, at, d.qd, d.kd, o.microBatch);
  const headMajor =
    backend === 'math' || (backend === 'flash' && (at.mla !== undefined || HEAD_MAJOR_QUERY.has(arch.family)));
  // The gated output (Qwen3-Next) feeds o_proj through its own product, counted with the gate.
  const outCopy =
    headMajor && !at.gatedOutput && adapterBytesOf(t, a) === a ? linearInputs(t, SOFTMAX_ATTN_OUT, d.od, a, a) : 0;
  if (backend === 'math') {
    // enable_gqa repeats the fp32 K and V per query head (repeat_interleave) in the math path.
    const gqa = d.kvHeads !== at.numHeads;
    const kMath = 4 * at.numHeads * d.qHead;
    const vMath = a < 4 || gqa ? 4 * at.numHeads * d.vHead : 4 * vStore;
    // Softmax output (fp32) and, with dropout, its mask and dropped copy.
    const scores = at.numHeads * keys * (4 + (o.dropout ? 1 + 4 : 0));
    return { bytes: (4 * d.qd + kMath + vMath + outCopy) / tp, scores: scores / tp };
  }
  return { bytes: (a * (d.qd + d.kd + vStore + d.od) + 4 * at.numHeads + outCopy) / tp, scores: 0 };
}

/** Chunk length of transformers' torch_chunk_gated_delta_rule (its `chunk_size` default; the layer passes none). */
const DELTA_RULE_CHUNK = 64;

/**
 * Bytes transformers' torch_chunk_gated_delta_rule (modeling_qwen3_next.py) saves for one sequence of
 * `seq` tokens whose q, k, v arrive in `inputBytes` (2: bf16, 4: fp32), the layer's l2-normalized q/k
 * included: see {@link torchLinearAttentionSaved}. The four extra fp32-input copies appear only when
 * nothing is padded (`seq` a multiple of 64) and there are two chunks or more: padding makes fresh
 * contiguous tensors and one chunk folds into bmm as a view.
 */
export function deltaRuleSavedBytes(at: LinearAttentionSpec, seq: number, inputBytes: number): number {
  const hv = at.numValueHeads;
  const dk = at.keyHeadDim;
  const dv = at.valueHeadDim;
  const C = DELTA_RULE_CHUNK;
  const chunks = Math.ceil(seq / C);
  const fp32Copies = inputBytes >= 4 && seq % C === 0 && chunks >= 2 ? 4 : 0;
  // l2norm of q and k (x · rsqrt(Σx²)): x and the rsqrt, before padding. With as many key as value
  // heads an fp32 input is a view of the conv output (one storage for both), else repeat_interleave's copy.
  const convDim = 2 * at.numKeyHeads * dk + hv * dv;
  const qkViews = inputBytes >= 4 && at.numKeyHeads === hv;
  let bytes = seq * ((qkViews ? 4 * convDim : 2 * 4 * hv * dk) + 2 * 4 * hv);
  // Over the padded chunks: 5 key-sized, 3 value-sized, 5 chunk-sized (C per row) and 4 per-head terms,
  // the decayed queries from the second chunk on, and the copies of an fp32 input.
  const keySized = 5 + (chunks >= 2 ? 1 : 0) + fp32Copies;
  bytes += chunks * C * 4 * hv * (keySized * dk + 3 * dv + 5 * C + 4);
  // Per chunk: the recurrent state read by the chunk and the chunk decay; the causal mask once.
  bytes += chunks * 4 * hv * (dk * dv + 1) + C * C;
  return bytes;
}

/**
 * What a Gated DeltaNet layer saves per token (and per layer, `fixed`) when transformers runs its
 * PyTorch fallbacks (modeling_qwen3_next.py Qwen3NextGatedDeltaNet.forward without
 * flash-linear-attention and causal-conv1d), tensor by tensor:
 * - causal_conv1d_fn: F.conv1d keeps its input (the q/k/v concatenation), SiLU the padded conv output
 *   (`seq + kernel − 1` columns); beta's sigmoid output; g's softplus input (and output, for A_log's
 *   gradient) with the two per-head exp(A) vectors;
 * - torch_chunk_gated_delta_rule, in fp32 over the sequence padded to 64-token chunks: the l2-normalized
 *   q and k inputs and their rsqrt; V, β, K, K·β, Q, the pairwise decays, both Gram products before and
 *   after the decay, the solved new values and decayed keys (solve_triangular keeps A and its result),
 *   three exp(cumulative decay) vectors, the decayed keys, and the decayed queries once a second chunk
 *   reads the state; per chunk the recurrent state [heads, dk, dv] and v_new; the causal mask once.
 *   A 16-bit input is cast to fresh contiguous fp32 tensors; an fp32 input is not copied
 *   (`to(float32, memory_format=contiguous_format)` aliases: TensorConversions.cpp to_will_alias
 *   compares suggest_memory_format, which is contiguous for the transposed view), so the chunked
 *   tensors cannot fold into bmm and the two 5-D matmuls copy K·β, Q and Kᵀ twice (4 tensors more);
 * - Qwen3NextRMSNormGated: the fp32 input and rsqrt, the normalized input (trained weight), the fp32
 *   gate, its SiLU output and the weighted product; out_proj's input (`linearInputs`).
 */
function torchLinearAttentionSaved(
  arch: Architecture,
  at: LinearAttentionSpec,
  o: TrainingActivationOptions,
  seq: number,
): { bytes: number; fixed: number } {
  const a = o.computeBytes;
  const ah = o.hiddenBytes ?? a;
  const t = o.trainable;
  const all = t === 'all';
  const hv = at.numValueHeads;
  const dk = at.keyHeadDim;
  const dv = at.valueHeadDim;
  const convDim = 2 * at.numKeyHeads * dk + hv * dv;
  const C = DELTA_RULE_CHUNK;
  const h = arch.hiddenSize;
  const od = hv * dv;
  // in_proj_qkvz and in_proj_ba read the layer input, out_proj the gated norm's output (and LoRA's x·A).
  let bytes =
    linearInputs(t, LINEAR_ATTN_IN, h, ah, a) +
    linearInputs(t, LINEAR_ATTN_OUT, od, a, a) +
    loraExtras(t, LINEAR_ATTN_IN, h, convDim + od, 1, a) +
    loraExtras(t, LINEAR_ATTN_OUT, od, h, 1, a);
  // Conv: F.conv1d input and the padded conv output SiLU keeps.
  bytes += a * convDim + (a * convDim * (seq + at.convKernel - 1)) / seq;
  // beta = sigmoid(b); g = −exp(A_log)·softplus(a + dt_bias).
  bytes += a * hv + 4 * hv + (all ? 4 * hv : 0);
  const fixed = 4 * hv + (all ? 4 * hv : 0) + C * C;
  // The delta rule per sequence; its causal mask is built once per call.
  bytes += (deltaRuleSavedBytes(at, seq, a) - C * C) / seq;
  // Gated RMSNorm over each head's output.
  bytes += 4 * od + 4 * hv + (all ? a * od : 0) + 2 * 4 * od + a * od;
  return { bytes, fixed };
}

/**
 * Bytes one layer saves for backward per token (Korthikanti et al. 2022 §4, generalized to GQA,
 * SwiGLU, MoE, RMSNorm, flash attention and frozen bases). Tensors split by tensor parallelism
 * (heads, FFN width) are divided by `tp`; hidden-size tensors only with sequence parallelism.
 */
function layerSavedPerToken(
  arch: Architecture,
  layer: LayerSpec,
  o: TrainingActivationOptions,
  keys: number,
): LayerSaved {
  const a = o.computeBytes;
  const ah = o.hiddenBytes ?? a;
  const h = arch.hiddenSize;
  const tp = o.tp ?? 1;
  const hidden = o.sequenceParallel ? 1 / tp : 1;
  const t = o.trainable;
  const normWeightsTrain = t === 'all';
  const norm = normSaved(arch, o, h, normWeightsTrain);
  let bytes = 0;
  let scores = 0;
  let fixed = 0;
  const nNorms = Math.max(layer.norms.length, 1);
  bytes += nNorms * norm * hidden;
  // Residual-branch dropout masks (after attention and after the MLP), one byte per element.
  if (o.dropout) bytes += 2 * h * hidden;

  const at = layer.attention;
  if (isSoftmaxAttention(at)) {
    const attnIn = SOFTMAX_ATTN_IN;
    const attnOut = SOFTMAX_ATTN_OUT;
    const qHead = at.mla ? at.mla.qkNopeHeadDim + at.mla.qkRopeHeadDim : at.headDim;
    const vHead = at.mla ? at.mla.vHeadDim : at.vHeadDim;
    const kvHeads = at.mla ? at.numHeads : at.numKvHeads;
    const qd = at.numHeads * qHead;
    const kd = kvHeads * qHead;
    const vd = kvHeads * vHead;
    const od = at.numHeads * vHead;
    // Linear inputs are kept only when a weight (or an adapter) reading them is trained.
    bytes += linearInputs(t, attnIn, h, ah, a) * hidden;
    // q/k norms (Qwen3, Gemma 3 per head; OLMo 2 over the projection) keep what a norm keeps; rope then
    // makes new q and k, which attention saves.
    if (at.qkNorm !== 'none') {
      const perHead = at.qkNorm === 'per-head';
      bytes +=
        (normSaved(arch, o, qd, normWeightsTrain, perHead ? at.numHeads : 1) +
          normSaved(arch, o, kd, normWeightsTrain, perHead ? kvHeads : 1)) /
        tp;
    }
    if (at.l2QkNorm) bytes += llama4QkNormSaved(arch, o, qd, kd, at.numHeads, kvHeads) / tp;
    if (at.mla) {
      // The latents feed the up-projections through their own norms (kv_a_layernorm, q_a_layernorm).
      const ranks = [at.mla.kvLoraRank, at.mla.qLoraRank].filter((r) => r > 0);
      for (const r of ranks) bytes += a * r + normSaved(arch, o, r, normWeightsTrain);
    }
    const window = at.kind !== 'full' && at.window !== undefined ? Math.min(keys, at.window) : keys;
    if (o.attention === 'flash') {
      const sd = sdpaSaved(arch, at, o, window, { qd, kd, vd, od, qHead, vHead, kvHeads });
      scores = sd.scores;
      bytes += sd.bytes;
      if (o.checkpointing !== 'selective') bytes += scores;
    } else {
      // Eager: q and the repeated K (repeat_kv), fp32 softmax output and its bf16 cast, repeated V.
      // Softmax output (fp32 in HF eager, then a bf16 copy for the V matmul; one compute-dtype tensor
      // in Megatron) and, with dropout, its mask and dropped copy: Korthikanti's 5as²b in 16-bit.
      // With fp32 activations the cast to the query dtype is a no-op (same tensor).
      const softmax = o.softmax ?? (COMPUTE_SOFTMAX.has(arch.family) ? 'compute' : 'fp32');
      const soft = softmax === 'compute' ? a : a >= 4 ? 4 : 4 + a;
      // gpt-oss sinks: one more logit column per row, and the row max's int64 index (modeling_gpt_oss.py).
      const cols = window + (at.sinks ? 1 : 0);
      const s = at.numHeads * cols * (soft + (o.dropout ? 1 + a : 0)) + (at.sinks ? 8 * at.numHeads : 0);
      scores = s / tp;
      // transformers repeat_kv (expand + reshape) copies K and V per query head, except with one KV
      // head (MQA), where the reshape is a stride-0 view and the saved K/V stay one head wide.
      const rep = kvHeads === 1 ? 1 : at.numHeads;
      // MLA's V is a view of kv_b_proj's output, which holds the no-rope keys too (modeling_deepseek_v2.py split).
      const vStored = at.mla ? at.numHeads * (at.mla.qkNopeHeadDim + at.mla.vHeadDim) : rep * vHead;
      bytes +=
        (a *
          (qd +
            rep * qHead +
            vStored +
            (rep === 1 || rep === kvHeads ? fusedQkvExtra(arch, at, qd, kd, o.microBatch) : 0))) /
        tp;
      // Selective recomputation drops the scores from what is kept; one layer's are rebuilt in backward.
      if (o.checkpointing !== 'selective') bytes += scores;
      if (adapted(t, attnOut)) bytes += linearInputs(t, attnOut, od, a, a) / tp;
    }
    // Gated output (Qwen3-Next, modeling_qwen3_next.py: attn_output * sigmoid(gate)): the product keeps
    // the sigmoid output and a reshaped copy of the attention output, and o_proj reads the product,
    // not the saved flash output.
    if (at.gatedOutput) bytes += (2 * a * od + (o.attention === 'flash' && t === 'all' ? a * od : 0)) / tp;
    // Flash: o_proj reads the saved attention output, unless adapters cast their own copy of it.
    if (o.attention === 'flash' && adapterBytesOf(t, a) !== a) bytes += linearInputs(t, attnOut, od, a, a) / tp;
    bytes += loraExtras(t, attnIn, h, qd, 1, a) / tp + loraExtras(t, attnOut, od, h, 1, a) / tp;
  } else if (at.kind === 'linear' && o.linearAttentionKernels === 'torch') {
    const lin = torchLinearAttentionSaved(arch, at, o, Math.ceil(o.seq / (o.cp ?? 1)));
    bytes += lin.bytes;
    fixed += lin.fixed;
  } else if (at.kind === 'linear') {
    const d = 2 * at.numKeyHeads * at.keyHeadDim + 2 * at.numValueHeads * at.valueHeadDim;
    bytes += (ah * h * hidden + 2 * a * d) / 1;
  } else if (at.kind === 'mamba') {
    // Mamba: x/z projections, conv output and the selective-scan inputs (approximate, no paper formula).
    bytes += ah * h * hidden + (6 * a * at.intermediateSize) / tp;
  }

  const m = layer.mlp;
  if (m.kind === 'dense') {
    const f = m.intermediateSize;
    bytes += linearInputs(t, MLP_IN, h, ah, a) * hidden;
    if (m.gated) {
      // gate output (SiLU input), up output and SiLU output for the product; the product feeds down_proj.
      bytes += ((o.kernels === 'eager' ? 3 : 2) * a * f) / tp;
    } else {
      bytes += ((1 + (o.kernels === 'eager' ? (ACTIVATION_SAVES[arch.family] ?? 0) : 0)) * a * f) / tp;
    }
    bytes += linearInputs(t, MLP_MID, f, a, a) / tp;
    bytes += loraExtras(t, MLP_IN, h, f, 1, a) / tp + loraExtras(t, MLP_MID, f, h, 1, a) / tp;
  } else if (LLAMA4_MOE.has(arch.family)) {
    bytes += llama4MoeSaved(m, o, t, h, hidden, tp);
  } else {
    const f = m.expertIntermediateSize;
    // Dropless routing keeps exactly topK copies per token; a capacity factor pads every expert's buffer.
    const k = m.topK * (o.moeCapacityFactor ?? 1);
    // Router: its input and fp32 softmax over experts; each routed copy keeps the gathered input,
    // the expert intermediates and the expert output scaled by its routing weight (HF MixtralSparseMoeBlock).
    // DeepSeek's MoEGate casts its input to fp32 (F.linear(x.float(), w.float())): the router keeps an
    // fp32 copy, and a shared expert then keeps the compute-dtype input itself.
    const fp32Router = FP32_ROUTER.has(arch.family);
    // The router keeps its input when it trains (full, or peft adapts an nn.Linear `gate`).
    if (t === 'all') bytes += (fp32Router ? 4 : ah) * h * hidden;
    else bytes += (fp32Router && adapted(t, ROUTER) ? 4 * h : linearInputs(t, ROUTER, h, ah, a)) * hidden;
    bytes += 4 * m.numExperts;
    // A frozen, unadapted expert weight (gpt-oss and Llama 4 under all-linear LoRA) needs no gathered input.
    const expertsTrain = t === 'all' || (t.fusedExperts?.length ?? 0) > 0 || adapted(t, EXPERT_IN);
    if (fp32Router && m.shared) bytes += linearInputs(t, MLP_IN, h, ah, a) * hidden;
    // Routing bookkeeping per routed copy: top-k indices and the int64 gather/scatter indices (4 × 8 B)
    // and the fp32 routing weight (modeling_qwen3_moe.py / deepseek_v2 experts forward).
    bytes += 36 * m.topK;
    const perCopy =
      (expertsTrain ? a * h : 0) +
      ((m.gated ? (o.kernels === 'eager' ? 3 + (ACTIVATION_SAVES[arch.family] ?? 0) : 2) : 1) * a * f +
        (adapted(t, MLP_MID) ? a * f : 0)) /
        tp +
      a * h;
    bytes += k * perCopy;
    // peft's ParamWrapper on fused experts merges W + B·A and computes no x·A per routed copy (`fixed` below).
    if (t === 'all' || (t.fusedExperts?.length ?? 0) === 0)
      bytes += loraExtras(t, MLP_IN, h, f, k, a) / tp + loraExtras(t, MLP_MID, f, h, k, a) / tp;
    if (m.shared) {
      const sf = m.shared.intermediateSize;
      bytes += ((o.kernels === 'eager' ? 4 : 3) * a * sf) / tp;
      // A gated shared expert (sigmoid(shared_expert_gate(x)) * shared_expert(x)) keeps the shared output.
      if (m.shared.gate) bytes += a * h * hidden;
    }
    // peft tuners/lora ParamWrapper: the merged W + ΔW (compute dtype) reaches torch._grouped_mm,
    // which saves it for the input gradient, and baddbmm(W, B, A) saves B and A per expert: copies cast
    // to W's dtype when the adapters are in another one (fp32 adapters on a bf16 base), else the adapter
    // parameters themselves, which are no activation (an fp32 QLoRA-style stack).
    const castAB = adapterBytesOf(t, a) !== a;
    if (t !== 'all')
      for (const e of t.fusedExperts ?? [])
        fixed +=
          (e.experts * a * (e.inFeatures * e.outFeatures + (castAB ? e.rank * (e.inFeatures + e.outFeatures) : 0))) /
          tp;
  }
  return { bytes, scores, fixed };
}

/**
 * Llama4TextL2Norm on q and k (modeling_llama4.py: `_norm(x.float()).type_as(x)`, no weight): pow and
 * the product keep the fp32 input, and the per-row rsqrt — a norm whose scale never trains.
 */
function llama4QkNormSaved(
  arch: Architecture,
  o: TrainingActivationOptions,
  qd: number,
  kd: number,
  heads: number,
  kvHeads: number,
): number {
  return normSaved(arch, o, qd, false, heads) + normSaved(arch, o, kd, false, kvHeads);
}

/** Families whose MoE sends every token through every expert (transformers Llama4TextMoe). */
const LLAMA4_MOE = new Set(['llama4', 'llama4_text']);

/**
 * Llama 4's MoE block (modeling_llama4.py Llama4TextMoe.forward), per token: not dropless top-k —
 * the input is repeated once per expert and scaled by the sigmoid router score (0 outside the top-k),
 * so every expert runs on every token. Per expert: the repeated input and its scaled copy (the bmm
 * input, kept when the experts train), the gate_up output and the activation, and the down input when
 * the experts train (peft's all-linear does not reach these fused experts: frozen under LoRA). The
 * router (Llama4Router) keeps its input when it trains, the top-k indices, the fp32 sigmoid and the
 * transposed score copy the scaling multiplies by. The shared expert is a dense gated MLP on the same
 * normed input (kept once with the router's when everything trains).
 */
function llama4MoeSaved(
  m: Extract<LayerSpec['mlp'], { kind: 'moe' }>,
  o: TrainingActivationOptions,
  t: TrainableSet,
  h: number,
  hidden: number,
  tp: number,
): number {
  const a = o.computeBytes;
  const ah = o.hiddenBytes ?? a;
  const f = m.expertIntermediateSize;
  const act = o.kernels === 'eager' ? 3 : 2;
  let bytes = (t === 'all' ? ah * h : linearInputs(t, ROUTER, h, ah, a)) * hidden;
  bytes += 8 * m.topK + 4 * m.numExperts + a * m.numExperts;
  const expertsTrain = t === 'all';
  bytes += m.numExperts * (a * h + (expertsTrain ? a * h : 0) + (act * a * f + (expertsTrain ? a * f : 0)) / tp);
  if (m.shared) {
    const sf = m.shared.intermediateSize;
    if (t !== 'all') bytes += linearInputs(t, MLP_IN, h, ah, a) * hidden;
    bytes += (act * a * sf + linearInputs(t, MLP_MID, sf, a, a)) / tp;
    bytes += (loraExtras(t, MLP_IN, h, sf, 1, a) + loraExtras(t, MLP_MID, sf, h, 1, a)) / tp;
  }
  return bytes;
}

/**
 * Activation memory of one training step per GPU: what autograd keeps from the forward pass for
 * backward (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models",
 * §4: sbh(34 + 5as/h) per layer with dropout and LayerNorm; here without dropout, with RMSNorm,
 * GQA, SwiGLU and MoE, and only the inputs of trained weights when the base is frozen — a LoRA
 * base still stores its nonlinearity and attention tensors, because input gradients flow through it).
 * Checkpointing keeps each block's input (2sbh) and recomputes one block during backward.
 * Pipeline stage 0 holds `min(pp, micro-batches)` micro-batches in flight (1F1B, §4.2.3).
 * The logits part is the cross-entropy peak over `s · b · V` elements.
 * @returns `activations` and `logits` parts with their formulas
 */
export function trainingActivationBytes(arch: Architecture, o: TrainingActivationOptions): TrainingActivations {
  const cp = o.cp ?? 1;
  const tp = o.tp ?? 1;
  const pp = o.pp ?? 1;
  const seqLocal = Math.ceil(o.seq / cp);
  const tokens = seqLocal * o.microBatch;
  const a = o.computeBytes;
  const ah = o.hiddenBytes ?? a;
  const L = arch.layers.length;
  const layersOnStage = Math.ceil(L / pp);
  const inFlight = Math.min(pp, o.microBatchesPerStep ?? pp);

  let stored = 0;
  let maxLayer = 0;
  let scoreBytes = 0;
  for (const cls of layerClasses(arch)) {
    const per = layerSavedPerToken(arch, cls.layer, o, o.seq);
    const layerBytes = per.bytes * tokens + per.fixed; // fixed: built once per forward
    // Scores are s × s per head: per token they scale with keys (already in per.scores via `keys`).
    stored += layerBytes * cls.count;
    scoreBytes = Math.max(scoreBytes, per.scores * tokens);
    maxLayer = Math.max(maxLayer, layerBytes);
  }
  // One pipeline stage holds its share of the layers.
  if (pp > 1) stored = (stored / L) * layersOnStage;
  const boundary = ah * arch.hiddenSize * tokens * (o.sequenceParallel ? 1 / tp : 1);
  let layerPart: BreakdownPart;
  let hostBytes = 0;
  if (o.checkpointing === 'op-level') {
    // torchtitan selective op AC (torchtitan/distributed/activation_checkpoint.py, _save_list and
    // _custom_policy): keeps the block input, the SDPA output with its log-sum-exp, and every other
    // matmul output (it recomputes every second mm); norms and activations are recomputed.
    let kept = 0;
    for (const cls of layerClasses(arch)) {
      const at = cls.layer.attention;
      const m = cls.layer.mlp;
      let perToken = ah * arch.hiddenSize;
      if (isSoftmaxAttention(at)) {
        const kv = at.mla ? at.numHeads : at.numKvHeads;
        const qHead = at.mla ? at.mla.qkNopeHeadDim + at.mla.qkRopeHeadDim : at.headDim;
        const vHead = at.mla ? at.mla.vHeadDim : at.vHeadDim;
        // SDPA out + lse; saved mm outputs (2nd, 4th, 6th of q, k, v, o, gate, up, down): k, o, up.
        perToken += (a * at.numHeads * vHead + 4 * at.numHeads + a * kv * qHead) / tp + a * arch.hiddenSize;
      }
      if (m.kind === 'dense') perToken += (a * m.intermediateSize) / tp;
      else perToken += (a * m.expertIntermediateSize * m.topK) / tp;
      kept += perToken * tokens * cls.count;
    }
    if (pp > 1) kept = (kept / L) * layersOnStage;
    kept *= inFlight;
    layerPart = part(
      kept + maxLayer,
      `torchtitan op-level checkpointing: block input, SDPA output and every other matmul output kept per layer + 1 layer recomputed`,
      {
        accuracy: 'model',
        source:
          'torchtitan distributed/activation_checkpoint.py (selective op AC: _save_list, recompute every other mm)',
        parts: {
          kept: part(kept, 'saved op outputs of every layer'),
          recomputed: part(maxLayer, `one layer re-run in backward, ${maxLayer.toLocaleString('en-US')} B`),
        },
      },
    );
  } else if (o.checkpointing === 'full') {
    const k = Math.max(1, Math.min(o.checkpointEvery ?? 1, layersOnStage));
    const checkpoints = Math.ceil(layersOnStage / k);
    const keptAll = checkpoints * boundary * inFlight;
    const kept = o.offload ? 0 : keptAll;
    hostBytes = o.offload ? keptAll : 0;
    const recompute = k * maxLayer;
    layerPart = part(
      kept + recompute,
      `full checkpointing every ${k} layer(s): ${checkpoints} inputs × ${inFlight} micro-batch(es) + ${k} recomputed layer(s)`,
      {
        accuracy: 'model',
        source: 'Chen et al. 2016 (√L checkpointing); Korthikanti et al. 2022 §5 (2sbh per layer kept)',
        parts: {
          checkpoints: part(
            kept,
            `${checkpoints} × ${ah} B × hidden ${arch.hiddenSize} × ${tokens.toLocaleString('en-US')} tokens × ${inFlight} in flight${o.offload ? ' (offloaded to host)' : ''}`,
          ),
          recomputed: part(recompute, `${k} layer(s) re-run in backward, ${maxLayer.toLocaleString('en-US')} B each`),
        },
      },
    );
  } else {
    const total = stored * inFlight;
    layerPart = part(
      total,
      `${layersOnStage} layers × saved tensors per layer × ${inFlight} micro-batch(es) in flight${o.checkpointing === 'selective' ? ' (attention core recomputed)' : ''}`,
      {
        accuracy: 'model',
        source:
          'Korthikanti et al. 2022 §4 (sbh(34 + 5as/h) per layer), adapted: no dropout, RMSNorm, GQA, SwiGLU, flash attention',
        parts: {
          perLayer: part(
            maxLayer,
            `largest layer: ${(maxLayer / tokens).toFixed(0)} B per token × ${tokens.toLocaleString('en-US')} tokens`,
          ),
          ...(scoreBytes > 0 && o.checkpointing !== 'selective'
            ? {
                attentionScores: part(
                  scoreBytes,
                  'naive attention: heads × s × s × (4 B fp32 softmax + bf16 copy) per layer',
                ),
              }
            : {}),
        },
      },
    );
  }
  const recomputedScores = o.checkpointing === 'selective' ? scoreBytes : 0;
  const transient = o.transientBytes ?? 0;
  const parts: Record<string, BreakdownPart> = { layers: layerPart };
  if (recomputedScores > 0)
    parts.recomputedScores = part(
      recomputedScores,
      "selective recomputation: one layer's attention scores rebuilt during its backward",
    );
  if (transient > 0)
    parts.transient = part(transient, 'dequantized NF4 weight of the largest linear, live in forward and backward');
  const activations = part(layerPart.bytes + transient + recomputedScores, layerPart.note, {
    accuracy: 'model',
    source: layerPart.source ?? '',
    parts,
  });

  // Logits live on the last stage. Bytes per logit element at the loss peak:
  // hf: transformers loss_utils ForCausalLMLoss upcasts (logits.float()) and calls cross_entropy
  //     (log_softmax + nll_loss). Forward holds the logits (a), the fp32 copy (4) and the fp32
  //     log-softmax (4); Trainer.compute_loss drops the outputs before backward, where the saved
  //     log-softmax (4), nll_loss_backward's fp32 grad_input (4) and log_softmax_backward's fp32 result
  //     (4) are alive together (aten LossNLL.cpp, SoftMax.cpp): max(12, a + 8) with a < 4, 12 with
  //     fp32 logits (the upcast is then the logits themselves). Measured: 12.0 B/logit, bf16 and fp32.
  // chunked: torchtune CEWithChunkedOutputLoss under torch.compile: the bf16 logit chunks are kept for
  //     backward, fp32 work is per chunk (the torchtune README flags table: chunking saved 8.1 GiB at
  //     8,192 tokens × 128,256 vocab, i.e. ≈ 8 of the hf bytes per logit).
  // fused: Liger FusedLinearCrossEntropy / cut-cross-entropy: logits never stored, one chunk transient.
  // vocab-parallel: Megatron-Core's _VocabParallelCrossEntropy casts the 16-bit logits to fp32 once and works in place
  //     (max, exp, div_; backward reuses the saved softmax as grad_input): a + 4 at the cast in forward and at the
  //     gradient's cast back in backward, 4 with fp32 logits (megatron/core/tensor_parallel/cross_entropy.py).
  const V = arch.vocabSize;
  const logitTokens = tokens;
  const softcap = LOGIT_SOFTCAP.has(arch.family) ? a : 0;
  const perLogitOf: Record<TrainingActivationOptions['loss'], number> = {
    hf: Math.max(12, a < 4 ? a + 8 : 8) + softcap,
    chunked: a + softcap,
    fused: 0,
    'vocab-parallel': a < 4 ? a + 4 : 4,
  };
  const perLogit = perLogitOf[o.loss];
  const fusedChunk = o.loss === 'fused' ? Math.min(logitTokens, 4096) * V * (a + 4) : 0;
  const logitBytes = (logitTokens * V * perLogit) / tp + fusedChunk;
  // Pipeline: stage 0 holds `inFlight` micro-batches of activations, the last stage one micro-batch
  // plus the logits; report the larger stage.
  const lastStage = pp > 1 ? activations.bytes / inFlight + logitBytes : 0;
  if (pp > 1 && activations.bytes >= lastStage) {
    return {
      activations,
      logits: part(
        0,
        `logits live on the last pipeline stage (${Math.ceil(logitBytes).toLocaleString('en-US')} B there); stage 0 holds more activations`,
      ),
      perLayerBytes: maxLayer,
      hostBytes,
    };
  }
  const logits = part(
    logitBytes,
    `${o.loss} loss: ${logitTokens.toLocaleString('en-US')} tokens × vocab ${V.toLocaleString('en-US')} × ${perLogit} B${o.loss === 'fused' ? ' + one 4096-token chunk' : ''}${tp > 1 ? ` / tp ${tp} (vocab-parallel)` : ''}`,
    {
      accuracy: 'model',
      source:
        o.loss === 'hf'
          ? 'transformers loss/loss_utils.py ForCausalLMLoss (logits.float() then cross_entropy)'
          : o.loss === 'chunked'
            ? 'torchtune modules/loss CEWithChunkedOutputLoss; torchtune README optimization-flags table'
            : o.loss === 'vocab-parallel'
              ? 'megatron/core/tensor_parallel/cross_entropy.py _VocabParallelCrossEntropy (one fp32 copy, in place)'
              : 'Liger-Kernel FusedLinearCrossEntropy; apple/ml-cross-entropy',
    },
  );
  const stageActs =
    pp > 1
      ? part(
          activations.bytes / inFlight,
          `last pipeline stage: one micro-batch of ${layersOnStage} layers (stage 0 holds ${inFlight})`,
          { accuracy: 'model', parts },
        )
      : activations;
  return { activations: stageActs, logits, perLayerBytes: maxLayer, hostBytes };
}
