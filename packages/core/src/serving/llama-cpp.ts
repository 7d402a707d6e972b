import type { Architecture, SoftmaxAttentionSpec } from '../model/architecture.js';
import { isSoftmaxAttention } from '../model/architecture.js';
import { type Breakdown, type BreakdownPart, part } from '../memory/breakdown.js';
import { kvDtypeLayout } from '../model/dtypes.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { findGgmlType, ggmlTensorBytes } from '../model/ggml-types.js';
import { kvCacheBytes } from '../memory/kv-cache.js';
import { layerClasses } from '../model/layer-classes.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { synthesizeTensors } from '../model/synthesize-tensors.js';
import { MIB } from '../memory/units.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { layerSlice, memoArch, padTo, prepared, requireInt, tensorBytes } from './devices.js';
import { excerpt } from '../validate.js';
import { type GpuSpec, gpuCapacityBytes } from './gpus.js';
import { type ComputeBufferInputs, computeBufferPlan } from './ggml-alloc/compute-buffer.js';
import type { AllocPlan } from './ggml-alloc/gallocr.js';

/** llama.cpp settings, under the engine's own flag names. */
export interface LlamaCppOptions {
  model: Architecture | PreparedModel;
  /** The GGUF file type (from @vramkit/quant, or a GGUF header inventory's format). */
  format: WeightFormat;
  /** GPUs in device order (CUDA0, CUDA1, …); empty for CPU only. */
  gpus: readonly GpuSpec[];
  /** `-c/--ctx-size`: KV cells in total, shared by all sequences (default 4096; 0 means the training context). */
  ctxSize?: number;
  /** `-b/--batch-size`, logical batch (default 2048). */
  batchSize?: number;
  /** `-ub/--ubatch-size`, physical batch the compute graph is sized for (default 512). */
  ubatchSize?: number;
  /** `-np/--parallel`: sequences served at once (default 1). */
  parallel?: number;
  /** `--kv-unified`: one KV buffer shared by all sequences (default false: n_ctx / parallel cells each). */
  kvUnified?: boolean;
  /**
   * `-fa/--flash-attn on|off|auto` (default auto: on where every layer's backend runs FLASH_ATTN_EXT — the
   * CPU always, CUDA where its kernels cover the head sizes and cache types; a quantized V cache forces it on).
   */
  flashAttn?: 'on' | 'off' | 'auto';
  /** `-ctk/--cache-type-k` (default f16). */
  cacheTypeK?: string;
  /** `-ctv/--cache-type-v` (default f16; quantized V needs flash attention). */
  cacheTypeV?: string;
  /** `-ngl/--n-gpu-layers` (default all: n_layer + 1, the output layer included). */
  nGpuLayers?: number;
  /** `--tensor-split`: proportions of the offloaded layers per GPU (default ∝ GPU memory). */
  tensorSplit?: readonly number[];
  /**
   * Cell padding of n_ctx, of each sequence's cells and of the SWA cache; default 256
   * (src/llama-context.cpp: n_ctx = GGML_PAD(n_ctx, 256), n_ctx_seq = GGML_PAD(n_ctx / n_seq_max, 256)).
   * Builds before that padded the cache to 32 cells without flash attention.
   */
  kvPadding?: number;
  /** `--swa-full`: the SWA cache as large as the full one (default false). */
  swaFull?: boolean;
  /** `general.architecture` of the GGUF when known; otherwise the converter's mapping of the config's model type. */
  ggufArchitecture?: string;
  /** Output rows reserved at start-up (default `parallel`: src/llama-context.cpp output_reserve(n_seq_max)). */
  outputRows?: number;
  /**
   * Outputs each sequence verifies per step (llama-server with a draft: 1 + n_max); the output buffer grows to
   * min(n_batch, parallel × this) rows (common/speculative.cpp common_speculative_get_output_limits).
   */
  outputsPerSequence?: number;
  /** `--embeddings`: the output buffer also holds n_embd floats per row. */
  embeddings?: boolean;
  /** VRAM the CUDA/Metal context and library workspaces take outside llama.cpp's buffers (default 300 MiB). */
  contextBytesPerGpu?: number;
}

/** One GPU's share of a llama.cpp deployment. */
export interface LlamaCppDevice extends Breakdown {
  gpu: GpuSpec;
  capacityBytes: number;
  /** Repeating layers placed here, and whether the output layer is. */
  layers: number;
  outputLayer: boolean;
  fits: boolean;
}

/** Result of {@link llamaCppMemory}. */
export interface LlamaCppEstimate {
  engine: 'llama.cpp';
  devices: LlamaCppDevice[];
  /** What stays in host RAM: CPU-resident weights, KV of CPU layers, host compute and output buffers. */
  host: Breakdown;
  /** `-ngl` as applied (layers counted as llama.cpp prints them: n_layer + 1 with the output layer). */
  gpuLayers: number;
  totalLayers: number;
  /** KV cells per stream after padding (n_ctx_seq), streams, and the tokens one sequence may hold. */
  kvCells: number;
  kvStreams: number;
  contextPerSequence: number;
  /** n_ctx after padding: cells of all sequences together. */
  nCtx: number;
  /** Cells per stream of the SWA cache, when the architecture has one in llama.cpp. */
  swaCells?: number;
  /** The architecture as llama.cpp sees it (GGUF `general.architecture`). */
  ggufArchitecture: string;
  /** Sequences (`-np`): how many requests the server runs at once. */
  parallel: number;
  flashAttn: boolean;
  cacheTypeK: string;
  cacheTypeV: string;
  fits: boolean;
  /** Share of the weights read per token that sit on the GPUs (token_embd, a row lookup, excluded). */
  gpuWeightFraction: number;
  assumptions: string[];
}

const F32 = 4;
/** src/llama-cparams.h LLAMA_MAX_SEQ. */
const LLAMA_MAX_SEQ = 256;
/** GGUF default general.alignment (ggml/include/gguf.h GGUF_DEFAULT_ALIGNMENT). */
const GGUF_ALIGNMENT = 32;

/**
 * llama.cpp architectures whose KV cache has a sliding-window part (src/llama-model.cpp load_hparams
 * sets hparams.swa_type; src/llama-model.cpp create_memory builds llama_kv_cache_iswa for them).
 */
const LLAMA_SWA_ARCHS = new Set([
  'gemma2',
  'gemma3',
  'gemma3n',
  'gpt-oss',
  'cohere2',
  'llama4',
  'exaone4',
  'gemma-embedding',
]);

/**
 * convert_hf_to_gguf.py's `general.architecture` per config model_type (the @ModelBase.register
 * classes): Mistral and Mixtral are written as `llama`, Qwen3-MoE as `qwen3moe`, DeepSeek V2/V3 as `deepseek2`.
 */
const CONVERTER_ARCH: Record<string, string> = {
  llama: 'llama',
  mistral: 'llama',
  mixtral: 'llama',
  qwen2: 'qwen2',
  qwen2_moe: 'qwen2moe',
  qwen3: 'qwen3',
  qwen3_moe: 'qwen3moe',
  qwen3_next: 'qwen3next',
  phi3: 'phi3',
  phi: 'phi2',
  gemma: 'gemma',
  gemma2: 'gemma2',
  gemma3: 'gemma3',
  gemma3_text: 'gemma3',
  gpt_oss: 'gpt-oss',
  deepseek_v2: 'deepseek2',
  deepseek_v3: 'deepseek2',
  kimi_k2: 'deepseek2',
  cohere2: 'cohere2',
  llama4: 'llama4',
  llama4_text: 'llama4',
  olmo2: 'olmo2',
  gpt2: 'gpt2',
  gpt_neox: 'gptneox',
  falcon: 'falcon',
  starcoder2: 'starcoder2',
  glm4: 'glm4',
  mamba: 'mamba',
  jamba: 'jamba',
};

/**
 * The architecture llama.cpp runs a model as: a GGUF file's `general.architecture` (the models
 * package reads it into the family), or the converter's mapping of a config's model type.
 */
export function llamaCppArchitecture(arch: Architecture): string {
  return CONVERTER_ARCH[arch.family] ?? arch.family;
}

function refusal(path: string, reason: string, received: unknown, remedy: string): InvalidInputError {
  return new InvalidInputError([{ path, message: `llama.cpp refuses this: ${reason} — ${remedy}`, received }]);
}

function attentionDims(a: SoftmaxAttentionSpec): { q: number; kv: number; heads: number } {
  return { q: a.numHeads * a.headDim, kv: a.numKvHeads * Math.max(a.headDim, a.vHeadDim), heads: a.numHeads };
}

/**
 * One KV cell's K and V widths as llama.cpp caches them: MLA caches the latent plus the RoPE part as a
 * single-head K and no V (src/llama-kv-cache.cpp: has_v = !is_mla; V is a view of K in the graph).
 */
function cacheWidths(a: SoftmaxAttentionSpec): { k: number; v: number; headK: number; headV: number; vIsK: boolean } {
  if (a.mla) {
    const k = a.mla.kvLoraRank + a.mla.qkRopeHeadDim;
    return { k, v: a.mla.kvLoraRank, headK: k, headV: a.mla.kvLoraRank, vIsK: true };
  }
  return {
    k: a.numKvHeads * a.headDim,
    v: a.numKvHeads * a.vHeadDim,
    headK: a.headDim,
    headV: a.vHeadDim,
    vIsK: false,
  };
}

/** ggml-cuda/common.cuh MATRIX_ROW_PADDING, and the CUDA buffer type's alignment (get_alignment: 128). */
const CUDA_ROW_PADDING = 512;
const CUDA_ALIGNMENT = 128;

/**
 * Bytes a weight takes in a CUDA buffer (not measured here; ggml-cuda.cu): a quantized tensor whose rows
 * are not a multiple of 512 values gets one partial row more (get_alloc_size, [TAG_ALLOC_SIZE_EXPAND]), and
 * each tensor starts at a multiple of 128 bytes (ggml_tallocr with the buffer's alignment).
 */
function cudaTensorAllocBytes(raw: number, shape: readonly number[], type: string | undefined): number {
  const t = type === undefined ? undefined : findGgmlType(type);
  const ne0 = shape[shape.length - 1] ?? 0;
  let size = raw;
  if (t?.quantized && ne0 % CUDA_ROW_PADDING !== 0)
    size += ((CUDA_ROW_PADDING - (ne0 % CUDA_ROW_PADDING)) / t.blockElements) * t.blockBytes;
  return padTo(size, CUDA_ALIGNMENT);
}

/** KV cache types the CUDA flash-attention kernels read in a default build (ggml-cuda/fattn.cu ggml_cuda_fattn_kv_type_supported). */
const CUDA_FA_KV_TYPES = new Set(['f32', 'f16', 'bf16', 'q4_0', 'q8_0']);

/**
 * Whether the CUDA backend runs FLASH_ATTN_EXT for every attention layer (ggml-cuda/fattn.cu
 * ggml_cuda_get_best_fattn_kernel, this build): K head sizes 40–256 with V of the same size; 576/512 (MLA)
 * and 512/512 only with the GQA path (≥ 2 query heads per KV head); 192/128 and 320/256 only with a GQA
 * ratio divisible by 8 / 32; K and V of one type (GGML_CUDA_FA_ALL_QUANTS off), each of f32, f16, bf16,
 * q4_0, q8_0. With `-fa auto`, llama.cpp turns flash attention off when a layer's FA node lands on
 * another device than the layer (src/llama-context.cpp resolve_fused_ops).
 * @returns undefined when supported, else the reason
 */
function cudaFlashAttnUnsupported(arch: Architecture, cacheTypeK: string, cacheTypeV: string): string | undefined {
  if (cacheTypeK !== cacheTypeV) return `K cache ${cacheTypeK} and V cache ${cacheTypeV} differ`;
  if (!CUDA_FA_KV_TYPES.has(cacheTypeK)) return `cache type ${cacheTypeK} has no CUDA flash-attention kernel`;
  for (const { layer } of layerClasses(arch)) {
    const a = layer.attention;
    if (!isSoftmaxAttention(a)) continue;
    const w = cacheWidths(a);
    const gqa = a.mla ? a.numHeads : a.numHeads / a.numKvHeads;
    const ok = [40, 64, 72, 80, 96, 112, 128, 256].includes(w.headK)
      ? w.headV === w.headK
      : w.headK === 576
        ? w.headV === 512 && gqa >= 2
        : w.headK === 512
          ? w.headV === 512 && gqa >= 2
          : w.headK === 192
            ? w.headV === 128 && gqa % 8 === 0
            : w.headK === 320
              ? w.headV === 256 && gqa % 32 === 0
              : false;
    if (!ok) return `head sizes K ${w.headK} / V ${w.headV} have no CUDA flash-attention kernel`;
  }
  return undefined;
}

interface ComputeInputs {
  ub: number;
  cells: number;
  swaCells: number;
  /** KV streams (sequences without a unified cache): the reserve graph's K/V views span all of them. */
  streams: number;
  fa: boolean;
  kQuant: boolean;
  vQuant: boolean;
}

/**
 * Peak of the ggml compute buffer for the layers in `arch` (f32 activations). ggml-alloc frees a
 * tensor after its last use, so the peak is the largest phase:
 * - attention: residual, q/k/v projections (and the fused qkv output they are split from), plus the
 *   f32 score matrix n_kv × n_ubatch × n_head without flash attention (src/llama-graph.cpp build_attn_mha);
 *   a quantized cache is dequantized to f16 for the matmul (K without FA; K and V in the FA kernels);
 * - MLP: residual, normed input, gate and up outputs (silu and mul run in place);
 * - output (device of the output layer): logits n_vocab × n_ubatch + the normed hidden state — the
 *   reserve graph outputs every token of the ubatch (src/llama-context.cpp graph_reserve).
 * Fitted against llama.cpp CI logs (open_llama_7b_v2, pythia): within 3% on every recorded run.
 * Not the ggml-alloc simulation the CPU buffer uses: a GPU's compute buffer holds one split of a
 * multi-backend graph — ggml_backend_sched_split_graph (ggml/src/ggml-backend.cpp) assigns each op a
 * backend in five passes, copies every split input into the GPU's buffer as an output that is never
 * freed, and offloads CPU-resident matmuls at ≥ 32 tokens — and no GPU run can be recorded here to check
 * a simulation of that, so the fitted phases stay for CUDA.
 */
function computePhases(arch: Architecture, c: ComputeInputs, withLayers: boolean, withOutput: boolean): BreakdownPart {
  const h = arch.hiddenSize;
  let attention = 0;
  let mlp = 0;
  if (withLayers) {
    for (const { layer } of layerClasses(arch)) {
      const a = layer.attention;
      if (isSoftmaxAttention(a)) {
        const d = attentionDims(a);
        const fused = a.fusedQkv ? d.q + 2 * d.kv : 0;
        const keys = a.kind === 'full' ? c.cells : c.swaCells;
        let bytes = F32 * c.ub * (h + d.q + 2 * d.kv + fused);
        if (!c.fa) bytes += F32 * keys * c.ub * d.heads;
        else bytes += F32 * c.ub * d.q;
        // CUDA (not measured here; ggml-cuda source): the FLASH_ATTN_EXT node's allocation carries f16 copies
        // of a quantized K and V when the MMA/tile kernel runs — the reserve graph has n_ubatch / n_stream > 2
        // tokens per stream — each 2 bytes × every cell of every stream, 128-byte aligned; V shares K's copy
        // when V is a view of K (MLA) (ggml-cuda/fattn.cu get_alloc_size, fattn-common.cuh f16_extra_data).
        // Without flash attention nothing is dequantized into the compute buffer: MMQ quantizes the
        // activations to q8_1 and cuBLAS converts in ggml_cuda_pool, outside it.
        if (c.fa && c.ub / c.streams > 2) {
          const w = cacheWidths(a);
          if (c.kQuant) bytes += padTo(2 * keys * c.streams * w.k, 128);
          if (c.vQuant && !w.vIsK) bytes += padTo(2 * keys * c.streams * w.v, 128);
        }
        attention = Math.max(attention, bytes);
      } else {
        attention = Math.max(attention, F32 * c.ub * 4 * h);
      }
      const m = layer.mlp;
      const inner =
        m.kind === 'dense'
          ? (m.gated ? 2 : 1) * m.intermediateSize
          : m.topK * (m.gated ? 2 : 1) * m.expertIntermediateSize +
            m.numExperts +
            (m.shared ? 2 * m.shared.intermediateSize : 0);
      mlp = Math.max(mlp, F32 * c.ub * (2 * h + inner));
    }
  }
  const output = withOutput ? F32 * c.ub * (arch.vocabSize + h) : 0;
  const bytes = Math.max(attention, mlp, output);
  const peak = bytes === output && output > 0 ? 'output' : bytes === attention ? 'attention' : 'mlp';
  return part(
    bytes,
    `ggml compute buffer: max(attention, MLP, output) phase at n_ubatch ${c.ub}; peak in ${peak}${c.fa ? ' (flash attention: no score matrix)' : ' (f32 scores n_kv × n_ubatch × n_head)'}; CUDA rules from ggml-cuda's source, not measured here`,
    {
      accuracy: 'model',
      source:
        'llama.cpp src/llama-graph.cpp (build_attn_mha, build_ffn), ggml/src/ggml-alloc.c (in-place reuse); fitted to llama.cpp CUDA CI logs (flash attention off, f16 cache) within 3%; CUDA flash-attention f16 K/V copies from ggml/src/ggml-cuda/fattn.cu (not measured here)',
      parts: {
        attention: part(
          attention,
          'residual + q/k/v (+ fused qkv) + scores or FA output (+ f16 copies of a quantized K/V in the CUDA FA node; not measured here)',
        ),
        mlp: part(mlp, 'residual + normed input + gate/up outputs'),
        output: part(output, 'logits n_vocab × n_ubatch + hidden n_embd × n_ubatch, f32'),
      },
    },
  );
}

/**
 * Peak of the CPU backend's compute buffer, as ggml-alloc plans the reserve graph (ggml/src/ggml-alloc.c:
 * a tensor's memory is reused after its last consumer; inputs such as the KQ mask live until the last
 * layer). The largest of three phases, f32 throughout:
 * - attention: KQ mask (n_kv × n_ubatch, f16 with flash attention) + scores n_kv × n_ubatch × n_head
 *   without flash attention (src/llama-graph.cpp build_attn_mha) + n_ubatch × (3 n_embd + 2 q + 2 kv);
 * - MLP: mask + n_ubatch × (3 × FFN width of the active experts + 4 n_embd): gate, up and the GLU
 *   output are live at once (build_ffn: ggml_swiglu_split is not in place);
 * - output: logits n_vocab × n_ubatch + 2 × n_embd × n_ubatch (the mask is freed by then).
 * Fitted to the harness fixtures (validation/llama-cpp, node-llama-cpp's CPU build): within 5%.
 */
function cpuComputePhases(arch: Architecture, c: ComputeInputs): BreakdownPart {
  const h = arch.hiddenSize;
  let attention = 0;
  let mlp = 0;
  let mask = 0;
  for (const { layer } of layerClasses(arch)) {
    const a = layer.attention;
    let bytes = F32 * c.ub * 4 * h;
    if (isSoftmaxAttention(a)) {
      const q = a.numHeads * a.headDim;
      const kv = a.numKvHeads * Math.max(a.headDim, a.vHeadDim);
      const keys = a.kind === 'full' ? c.cells : c.swaCells;
      mask = Math.max(mask, keys * padTo(c.ub, 64) * (c.fa ? 2 : F32));
      bytes = F32 * c.ub * (3 * h + 2 * q + 2 * kv) + (c.fa ? 0 : F32 * keys * c.ub * a.numHeads);
      // Measured (harness, every family): without flash attention a quantized K plans one n_kv × n_ubatch f32 buffer less.
      if (!c.fa && c.kQuant) bytes -= F32 * keys * c.ub;
    }
    attention = Math.max(attention, bytes);
    const m = layer.mlp;
    const width =
      m.kind === 'dense'
        ? m.intermediateSize
        : m.topK * m.expertIntermediateSize + (m.shared ? m.shared.intermediateSize : 0);
    const live = (m.kind === 'dense' && !m.gated ? 2 : 3) * width + (m.kind === 'dense' ? 0 : m.numExperts);
    mlp = Math.max(mlp, F32 * c.ub * (live + 4 * h));
  }
  attention += mask;
  mlp += mask;
  const output = F32 * c.ub * (arch.vocabSize + 2 * h);
  const bytes = Math.max(attention, mlp, output);
  const peak = bytes === output ? 'output' : bytes === attention ? 'attention' : 'mlp';
  return part(
    bytes,
    `CPU compute buffer: max(attention, MLP, output) at n_ubatch ${c.ub}; peak in ${peak}${c.fa ? ' (flash attention: no score matrix)' : ' (f32 scores n_kv × n_ubatch × n_head)'}`,
    {
      accuracy: 'model',
      source:
        'llama.cpp src/llama-graph.cpp (build_attn_mha, build_ffn), ggml/src/ggml-alloc.c; fitted to node-llama-cpp 3.21.1 CPU runs within 5%',
      parts: {
        attention: part(attention, 'KQ mask + scores (without flash attention) + q/k/v and residual rows'),
        mlp: part(mlp, 'KQ mask + gate, up and GLU output + residual rows'),
        output: part(output, 'logits n_vocab × n_ubatch + 2 × n_embd × n_ubatch, f32'),
      },
    },
  );
}

/**
 * The CPU backend's compute buffer as ggml-alloc plans llama.cpp's reserve graph: the architecture's graph
 * (ggml-alloc/: src/models/<arch>.cpp over src/llama-graph.cpp) placed by ggml/src/ggml-alloc.c's rules into
 * the CPU buffer type (32-byte alignment, ggml_nbytes); its parts are the tensors live at the peak.
 */
function simulatedComputePart(plan: AllocPlan, c: ComputeBufferInputs, ggufArch: string): BreakdownPart {
  const parts: Record<string, BreakdownPart> = {};
  let live = 0;
  for (const t of plan.peak) {
    const key = Object.hasOwn(parts, t.name) ? `${t.name}@${t.offset}` : t.name;
    parts[key] = part(t.bytes, `${t.op} at offset ${t.offset}`, { accuracy: 'model' });
    live += t.bytes;
  }
  // Blocks freed below the peak that no live tensor fills (ggml-alloc's best-fit leaves holes).
  if (plan.bytes > live)
    parts.unusedBlocks = part(plan.bytes - live, 'free blocks below the peak (fragmentation and alignment)');
  return part(
    plan.bytes,
    `CPU compute buffer: ggml-alloc's plan of the ${ggufArch} reserve graph at n_ubatch ${c.ubatch} (${c.cells} KV cells × ${c.unified ? 1 : c.nSeqMax} streams${c.flashAttn ? ', flash attention' : ''}); parts: tensors live at the peak`,
    {
      accuracy: 'model',
      source:
        'ggml/src/ggml-alloc.c (ggml_gallocr_alloc_graph_impl, ggml_dyn_tallocr_alloc), src/llama-graph.cpp, src/models/<arch>.cpp, src/llama-context.cpp graph_reserve; exact on every recorded node-llama-cpp 3.21.1 CPU run (validation/llama-cpp)',
      parts,
    },
  );
}

function gpuWeightTotal(gpu: readonly number[], hostRead: number): number {
  const onGpu = gpu.reduce((a, b) => a + b, 0);
  return onGpu + hostRead === 0 ? 0 : onGpu / (onGpu + hostRead);
}

function isBlockQuant(dtype: string): boolean {
  const l = kvDtypeLayout(dtype);
  return l !== undefined && l.blockElements > 1;
}

/** The context vramkit assumes when none is given (llama-server's own default differs: LLAMA_SERVER_DEFAULTS). */
export const DEFAULT_CTX_SIZE = 4096;

/**
 * What llama-server does when given neither `-c` nor `-np`, which vramkit does not follow: common/common.h
 * n_ctx 0 is the training context, which fit_params (on by default, a 1 GiB margin per device,
 * fit_params_target) lowers until the model fits, not below fit_params_min_ctx 4096; common/arg.cpp sets
 * n_parallel -1 (auto) for the server, which tools/server/server.cpp resolves to 4 slots with kv_unified.
 * Given `-np`, kv_unified stays false (common/common.h), as vramkit assumes.
 */
export const LLAMA_SERVER_DEFAULTS =
  "llama-server left to its own defaults would take the model's training context, lowered to what fits with 1 GiB free per device but not below 4096 tokens, and serve 4 sequences from one unified KV cache; the llama-server launch line sets the context and the sequence count explicitly, so it runs what is estimated here";

/**
 * What llama.cpp allocates for a GGUF model: model buffers per device under `-ngl`/`--tensor-split`,
 * the KV cache (n_ctx cells, per stream unless `--kv-unified`, SWA layers sized window + ubatch),
 * compute buffers per device and on the host, and the host output (logits) buffer.
 *
 * Placement follows src/llama-model.cpp load_tensors: layers [n_layer − ngl, n_layer) go to the GPUs;
 * the output layer counts as layer n_layer and is offloaded only when ngl > n_layer; token_embd always
 * stays on the CPU (LLM_TENSOR_LAYER_INPUT). KV of a layer lives on its layer's device
 * (src/llama-kv-cache.cpp, offload_kqv). Without flash attention a quantized V cache is not allowed,
 * so V stays f16 (src/llama-context.cpp: "V cache quantization requires flash_attn").
 * @param options llama.cpp flags (see {@link LlamaCppOptions}); sizes in tokens
 * @returns per-GPU breakdowns, host breakdown, and the layout that was applied
 * @throws InvalidInputError for non-integer or out-of-range flags, or a tensor split of the wrong length
 */
export function llamaCppMemory(options: LlamaCppOptions): LlamaCppEstimate {
  const p = prepared(options.model);
  const arch = p.arch;
  const assumptions: string[] = [];
  const nLayer = arch.layers.length;
  // -c 0 means the training context (n_ctx_train). Unset, vramkit assumes 4096 cells, not llama-server's
  // own default (LLAMA_SERVER_DEFAULTS).
  let ctx = options.ctxSize ?? DEFAULT_CTX_SIZE;
  if (ctx === 0) ctx = arch.maxPositionEmbeddings ?? DEFAULT_CTX_SIZE;
  const ub = options.ubatchSize ?? 512;
  const b = options.batchSize ?? 2048;
  const np = options.parallel ?? 1;
  const defaulted = [
    ...(options.ctxSize === undefined ? [`\`ctxSize\` defaulted to ${DEFAULT_CTX_SIZE} tokens`] : []),
    ...(options.parallel === undefined ? ['`parallel` defaulted to 1 sequence'] : []),
  ];
  if (defaulted.length > 0) assumptions.push(`${defaulted.join(', ')}: ${LLAMA_SERVER_DEFAULTS}`);
  // Messages name the option fields (llamaCpp.*); the CLI maps them to its flags.
  requireInt(ctx, 1, 'llamaCpp.ctxSize', 'ctxSize');
  requireInt(ub, 1, 'llamaCpp.ubatchSize', 'ubatchSize');
  requireInt(b, 1, 'llamaCpp.batchSize', 'batchSize');
  requireInt(np, 1, 'llamaCpp.parallel', 'parallel');
  // src/llama-context.cpp llama_context: under causal attention n_batch = min(n_ctx, n_batch) with the
  // context as requested (before padding to 256), then n_ubatch = min(n_batch, n_ubatch).
  const nBatch = Math.min(b, ctx);
  const ubatch = Math.min(ub, nBatch);
  // src/llama-context.cpp: n_seq_max must be <= LLAMA_MAX_SEQ (256).
  if (np > LLAMA_MAX_SEQ)
    throw refusal(
      'llamaCpp.parallel',
      `n_seq_max must be <= ${LLAMA_MAX_SEQ}`,
      np,
      `parallel ${np} is more sequences than llama.cpp serves at once; use ${LLAMA_MAX_SEQ} or fewer`,
    );
  // llama_context reserves one output row per sequence at start (output_reserve(n_seq_max)) and asserts
  // that this is within n_outputs_max, which llama-server caps at -b (tools/server/server-context.cpp
  // server_output_limits): more sequences than the logical batch abort there
  // (GGML_ASSERT(n_outputs_max <= cparams.n_outputs_max), src/llama-context.cpp).
  if (np > b && options.outputRows === undefined)
    throw refusal(
      'llamaCpp.parallel',
      'GGML_ASSERT(n_outputs_max <= cparams.n_outputs_max) failed: one output row per sequence exceeds n_batch',
      np,
      `parallel ${np} is more sequences than batchSize ${b}; raise batchSize to at least ${np} or lower parallel`,
    );
  const gpus = options.gpus;
  const ggufArch = options.ggufArchitecture ?? llamaCppArchitecture(arch);
  const ctk = options.cacheTypeK ?? 'f16';
  const ctv = options.cacheTypeV ?? 'f16';
  for (const [flag, t] of [
    ['cacheTypeK', ctk],
    ['cacheTypeV', ctv],
  ] as const) {
    if (!kvDtypeLayout(t))
      throw new InvalidInputError([
        {
          path: `llamaCpp.${flag}`,
          message: `unknown cache type ${excerpt(t)}; use f16, bf16, f32, q8_0, q4_0, q4_1, iq4_nl, q5_0 or q5_1`,
          received: t,
        },
      ]);
  }
  // Flash attention (src/llama-context.cpp): auto turns it on when the backend of each layer runs
  // FLASH_ATTN_EXT (the CPU and CUDA backends do) and, failing that, whenever V is quantized
  // ("enabling flash_attn since it is required for quantized V cache"); off with a quantized V cache is refused.
  const faFlag = options.flashAttn ?? 'auto';
  // src/llama-context.cpp llama_init_from_model: a quantized V cache turns auto into on first; otherwise
  // auto keeps flash attention where every layer's backend runs it (the CPU always; CUDA per its kernels).
  const vForcesFa = faFlag === 'auto' && isBlockQuant(ctv);
  const cudaNoFa = gpus.length > 0 ? cudaFlashAttnUnsupported(arch, ctk, ctv) : undefined;
  const fa = faFlag === 'on' || (faFlag === 'auto' && (vForcesFa || cudaNoFa === undefined));
  if (faFlag === 'auto')
    assumptions.push(
      vForcesFa
        ? 'llamaCpp.flashAttn auto resolved to on (a quantized V cache requires it)'
        : cudaNoFa
          ? `llamaCpp.flashAttn auto resolved to off: ${cudaNoFa} (ggml-cuda/fattn.cu; not measured here)`
          : `llamaCpp.flashAttn auto resolved to on (the ${gpus.length > 0 ? 'CUDA' : 'CPU'} backend runs flash attention)`,
    );
  if (fa && cudaNoFa)
    assumptions.push(
      `flash attention is on but CUDA has no kernel for it (${cudaNoFa}): llama.cpp runs those nodes on the CPU, which this estimate does not model`,
    );
  const mla = arch.layers.some((l) => isSoftmaxAttention(l.attention) && l.attention.mla !== undefined);
  // MLA caches one latent row per cell and no V (src/llama-kv-cache.cpp: has_v = !is_mla), and
  // llama_init_from_model refuses different K and V types for it — checked before the V/flash-attention rule.
  if (mla && ctk !== ctv)
    throw refusal(
      'llamaCpp.cacheTypeV',
      `model does not support different K (${ctk}) and V (${ctv}) cache types`,
      ctv,
      `set cacheTypeV equal to cacheTypeK (${ctk})`,
    );
  if (!fa && isBlockQuant(ctv))
    throw refusal(
      'llamaCpp.cacheTypeV',
      'quantized V cache requires flash_attn to be enabled',
      ctv,
      `cacheTypeV ${ctv} needs flashAttn on (or auto)`,
    );
  const unified = options.kvUnified ?? false;
  const pad = options.kvPadding ?? 256;
  // src/llama-context.cpp: n_ctx = GGML_PAD(n_ctx, 256); without --kv-unified each of the n_seq_max
  // streams gets n_ctx_seq = GGML_PAD(n_ctx / n_seq_max, 256) cells and n_ctx becomes n_ctx_seq × n_seq_max.
  let nCtx = padTo(ctx, pad);
  let cells = nCtx;
  if (!unified) {
    cells = padTo(Math.floor(nCtx / np), pad);
    if (cells === 0)
      throw refusal(
        'llamaCpp.parallel',
        'n_ctx_seq == 0',
        np,
        `parallel ${np} leaves no cell per sequence in ctxSize ${ctx}; raise ctxSize or lower parallel`,
      );
    nCtx = cells * np;
  }
  const streams = unified ? 1 : np;
  const perStream = cells;
  if (nCtx !== ctx)
    assumptions.push(
      `llamaCpp.ctxSize ${ctx} padded to ${nCtx} cells${unified || np === 1 ? '' : ` (${np} sequences × ${cells})`}`,
    );
  const trained = arch.maxPositionEmbeddings;
  if (trained !== undefined && perStream > trained)
    assumptions.push(
      `warning: n_ctx_seq (${perStream}) > n_ctx_train (${trained}) -- possible training context overflow`,
    );
  // SWA only where llama.cpp builds a sliding-window cache for the architecture (src/llama-model.cpp
  // load_hparams sets swa_type): Mistral v0.1 converts to `llama` (no SWA) and phi3 logs "SWA is currently disabled".
  const swa = LLAMA_SWA_ARCHS.has(ggufArch);
  if (!swa && arch.layers.some((l) => l.attention.kind === 'sliding' || l.attention.kind === 'chunked')) {
    assumptions.push(`no sliding-window cache: llama.cpp runs ${ggufArch} with full attention on every layer`);
  }
  const window = swa
    ? (arch.layers
        .map((l) => l.attention)
        .find((a) => isSoftmaxAttention(a) && a.kind !== 'full' && a.window !== undefined) as
        | SoftmaxAttentionSpec
        | undefined)
    : undefined;
  // src/llama-kv-cache-iswa.cpp: size_swa = min(size_base, GGML_PAD(n_swa × (unified ? n_seq_max : 1) + n_ubatch, n_pad)).
  const swaCells = window?.window
    ? options.swaFull
      ? cells
      : Math.min(cells, padTo(window.window * (unified ? np : 1) + ubatch, pad))
    : undefined;
  const slidingExtraTokens = window?.window && swaCells !== undefined ? swaCells - window.window : 0;
  const ignoreWindows = !swa;

  // Layer placement (src/llama-model.cpp load_tensors).
  const ngl = gpus.length === 0 ? 0 : Math.min(options.nGpuLayers ?? nLayer + 1, nLayer + 1);
  requireInt(ngl, 0, 'llamaCpp.nGpuLayers', 'nGpuLayers');
  if (options.nGpuLayers === undefined && gpus.length > 0)
    assumptions.push(`llamaCpp.nGpuLayers defaulted to all ${nLayer + 1} layers`);
  const gpuStart = Math.max(nLayer - ngl, 0);
  const actGpu = Math.min(ngl, nLayer + 1);
  const split = options.tensorSplit ?? gpus.map((g) => gpuCapacityBytes(g));
  if (split.length !== gpus.length) {
    throw new InvalidInputError([
      {
        path: 'llamaCpp.tensorSplit',
        message: `tensorSplit has ${split.length} values for ${gpus.length} GPUs; give one proportion per GPU`,
        received: split,
      },
    ]);
  }
  const splitSum = split.reduce((s, x) => s + x, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const s of split) {
    acc += s / splitSum;
    cumulative.push(acc);
  }
  // Layer il ≥ gpuStart goes to the first device whose cumulative split exceeds (il − gpuStart) / act_gpu_layers.
  const deviceOf = (il: number): number => {
    if (il < gpuStart || il - gpuStart >= actGpu) return -1;
    const f = (il - gpuStart) / actGpu;
    const d = cumulative.findIndex((c) => c > f);
    return d === -1 ? gpus.length - 1 : d;
  };
  const outputDevice = deviceOf(nLayer);

  const weights = gpus.map(() => 0);
  let hostWeights = 0;
  let inputWeights = 0;
  let largestHostWeight = 0;
  const storedTypes = p.weightsIn(options.format).perTensor;
  // A model given as a config or safetensors lacks what the converter adds to the GGUF: llama3 RoPE
  // scaling writes rope_freqs.weight, f32 (convert_hf_to_gguf.py LlamaModel.generate_extra_tensors).
  const converterOnly =
    p.source === 'gguf' || p.tensors.some((t) => t.name === 'rope_freqs.weight')
      ? []
      : synthesizeTensors(arch, { converterTensors: true })
          .filter((t) => t.name === 'rope_freqs.weight')
          .map((tensor) => ({ tensor, bytes: ggmlTensorBytes('F32', tensor.shape), type: 'F32' }));
  const inventory = [
    ...tensorBytes(p, options.format).map((t, i) => ({ ...t, type: storedTypes[i]?.type })),
    ...converterOnly,
  ];
  for (const { tensor, bytes: raw, type } of inventory) {
    // Each tensor's data starts at a multiple of general.alignment (32) in the file, and a model buffer
    // covers the tensors' range (src/llama-model-loader.cpp get_mapping_range).
    const bytes = padTo(raw, GGUF_ALIGNMENT);
    // rope_freqs is created with layer 0 (src/llama-model.cpp: TENSOR_DUPLICATED for the other layers).
    const layer = tensor.layer ?? (tensor.name === 'rope_freqs.weight' ? 0 : undefined);
    const dev =
      layer !== undefined
        ? deviceOf(layer)
        : tensor.role === 'token_embd' || tensor.role === 'position_embd'
          ? -1
          : outputDevice;
    if (dev >= 0 && gpus[dev]!.gpuUsableFraction === undefined) {
      // A discrete GPU holds a copy in a CUDA buffer, not the mapped file.
      weights[dev]! += cudaTensorAllocBytes(raw, tensor.shape, type);
      continue;
    }
    if (dev < 0) {
      hostWeights += bytes;
      if (tensor.role !== 'token_embd' && tensor.role !== 'position_embd')
        largestHostWeight = Math.max(largestHostWeight, bytes);
      else inputWeights += bytes;
    } else weights[dev]! += bytes;
  }

  const kvOptions = { tokens: cells, batch: streams, kDtype: ctk, vDtype: ctv, slidingExtraTokens, ignoreWindows };
  const kvFor = (from: number, to: number): BreakdownPart | undefined => {
    if (to <= from) return undefined;
    const slice = layerSlice(arch, from, to);
    const recurrent = (l: Architecture['layers'][number]) => !isSoftmaxAttention(l.attention);
    if (!slice.layers.some(recurrent)) return kvCacheBytes(slice, kvOptions);
    // A hybrid model: llama.cpp keeps the recurrent state (conv R and state S) in f32 whatever the K/V
    // cache types, one slot per sequence even with a unified KV cache (src/llama-model.cpp create_memory:
    // recurrent_type_r/s GGML_TYPE_F32, rs_size max(1, n_seq_max); src/llama-memory-recurrent.cpp).
    const states = memoArch(slice, 'recurrent', () => ({ ...slice, layers: slice.layers.filter(recurrent) }));
    const attn = memoArch(slice, 'attention', () => ({ ...slice, layers: slice.layers.filter((l) => !recurrent(l)) }));
    const rs = kvCacheBytes(states, { tokens: 1, batch: np, kDtype: 'f32', vDtype: 'f32', stateDtype: 'f32' });
    const kv = attn.layers.length > 0 ? kvCacheBytes(attn, kvOptions) : undefined;
    return part((kv?.bytes ?? 0) + rs.bytes, 'KV cache of the attention layers + f32 recurrent state per sequence', {
      accuracy: 'exact',
      source: 'llama.cpp src/llama-kv-cache.cpp, src/llama-memory-recurrent.cpp',
      parts: { ...(kv ? { kv } : {}), recurrentState: rs },
    });
  };
  const layerRange = (dev: number): [number, number] => {
    let from = -1;
    let to = -1;
    for (let il = 0; il < nLayer; il++) {
      if (deviceOf(il) === dev) {
        if (from < 0) from = il;
        to = il + 1;
      }
    }
    return from < 0 ? [0, 0] : [from, to];
  };
  const computeIn: ComputeInputs = {
    ub: ubatch,
    cells,
    swaCells: swaCells ?? cells,
    streams,
    fa,
    kQuant: isBlockQuant(ctk),
    vQuant: isBlockQuant(ctv),
  };
  const contextBytes = options.contextBytesPerGpu ?? 300 * MIB;
  const hostRange = [0, gpuStart] as const;
  const hasHostLayers = gpuStart > 0;

  const devices: LlamaCppDevice[] = gpus.map((gpu, d) => {
    const [from, to] = layerRange(d);
    const kv = kvFor(from, to);
    let compute = computePhases(layerSlice(arch, from, to), computeIn, to > from, outputDevice === d);
    // ggml-backend-sched offloads the matmuls of CPU-resident layers to the first GPU when the batch is ≥ 32
    // tokens (src/llama-context.cpp op_offload), copying the weight into this device's compute buffer.
    if (d === 0 && hasHostLayers && ubatch >= 32) {
      const offloaded = computePhases(arch, computeIn, true, outputDevice < 0);
      const bytes = Math.max(compute.bytes, offloaded.bytes) + largestHostWeight;
      compute = part(
        bytes,
        `${compute.note}; + largest CPU-resident weight copied for op offload (${(largestHostWeight / MIB).toFixed(2)} MiB)`,
        { accuracy: 'model', source: compute.source, parts: compute.parts },
      );
    }
    // Unified memory (Metal): with every layer offloaded, the Metal buffer maps the whole file, token_embd
    // included — the same pages the CPU_Mapped buffer shows (llama.cpp CI, pythia-1.4b on M4: Metal_Mapped ≈ file size).
    const mapsWholeFile = gpu.gpuUsableFraction !== undefined && gpus.length === 1 && actGpu === nLayer + 1;
    const modelBytes = mapsWholeFile ? weights[d]! + hostWeights : weights[d]!;
    const parts: Record<string, BreakdownPart> = {
      weights: part(
        modelBytes,
        `model buffer: ${to - from} layers${outputDevice === d ? ' + output layer' : ''}${mapsWholeFile ? ' + token_embd (Metal maps the whole file)' : gpu.gpuUsableFraction === undefined ? ' (CUDA buffer: quantized rows padded to 512 values, 128-byte aligned; from ggml-cuda source, not measured here)' : ''} in ${options.format.id}`,
        { accuracy: 'exact' },
      ),
      kvCache: kv ?? part(0, 'no layers on this device', { accuracy: 'exact' }),
      activations: compute,
      overhead: part(
        contextBytes,
        'CUDA/Metal context and library workspaces outside llama.cpp buffers (override contextBytesPerGpu)',
        { accuracy: 'model' },
      ),
    };
    const total = Object.values(parts).reduce((s, x) => s + x.bytes, 0);
    const capacityBytes = gpuCapacityBytes(gpu);
    return {
      gpu,
      capacityBytes,
      layers: to - from,
      outputLayer: outputDevice === d,
      total,
      parts,
      fits: total <= capacityBytes,
    };
  });

  const hostKv = kvFor(hostRange[0], hostRange[1]);
  const outputRows = options.outputRows ?? Math.min(b, np * (options.outputsPerSequence ?? 1));
  const outputBytes = F32 * (arch.vocabSize + (options.embeddings ? arch.hiddenSize : 0)) * outputRows;
  // Host compute: token embeddings gathered on the CPU (n_embd × n_ubatch f32), token ids and positions,
  // the KQ mask n_kv × pad(n_ubatch, 32) (f16 with FA); plus CPU layers' phases when ops are not offloaded.
  const maskBytes = cells * padTo(ubatch, 32) * (fa ? 2 : 4);
  let hostCompute = F32 * ubatch * arch.hiddenSize + maskBytes + 2 * F32 * ubatch;
  let hostComputePart: BreakdownPart | undefined;
  if (gpus.length === 0) {
    // The reserve graph planned as ggml-alloc plans it, where a graph builder covers the architecture;
    // the fitted phases otherwise.
    const simIn: ComputeBufferInputs = {
      ubatch,
      batch: nBatch,
      nCtx,
      cells,
      swaCells: swaCells ?? cells,
      nSeqMax: np,
      unified,
      flashAttn: fa,
      typeK: ctk,
      typeV: ctv,
    };
    const plan = computeBufferPlan(arch, ggufArch, simIn);
    hostComputePart = plan ? simulatedComputePart(plan, simIn, ggufArch) : cpuComputePhases(arch, computeIn);
    hostCompute = hostComputePart.bytes;
  }
  const hostParts: Record<string, BreakdownPart> = {
    weights: part(
      hostWeights,
      `CPU model buffer: token_embd${hasHostLayers ? ` + ${gpuStart} layers` : ''}${outputDevice < 0 ? ' + output layer' : ''} (mmap-ed)`,
      { accuracy: 'exact' },
    ),
    kvCache: hostKv ?? part(0, 'every layer offloaded', { accuracy: 'exact' }),
    activations:
      hostComputePart ??
      part(hostCompute, 'host compute buffer: input embeddings, token ids, positions, KQ mask', {
        accuracy: 'model',
        source: 'llama.cpp src/llama-graph.cpp inputs (llm_graph_input_embd, attn mask)',
      }),
    output: part(
      outputBytes,
      `output buffer: ${outputRows} rows × (n_vocab${options.embeddings ? ' + n_embd' : ''}) × f32, in host memory`,
      { accuracy: 'exact', source: 'llama.cpp src/llama-context.cpp output_reserve' },
    ),
  };
  const hostTotal = Object.values(hostParts).reduce((s, x) => s + x.bytes, 0);
  return {
    engine: 'llama.cpp',
    devices,
    host: { total: hostTotal, parts: hostParts },
    gpuLayers: actGpu,
    totalLayers: nLayer + 1,
    kvCells: cells,
    kvStreams: streams,
    contextPerSequence: cells,
    nCtx,
    ...(swaCells !== undefined ? { swaCells } : {}),
    ggufArchitecture: ggufArch,
    parallel: np,
    flashAttn: fa,
    cacheTypeK: ctk,
    cacheTypeV: ctv,
    fits: devices.every((d) => d.fits),
    gpuWeightFraction: gpuWeightTotal(weights, hostWeights - inputWeights),
    assumptions,
  };
}
