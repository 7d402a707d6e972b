import type { Architecture, SoftmaxAttentionSpec } from '../model/architecture.js';
import { isSoftmaxAttention } from '../model/architecture.js';
import { type Breakdown, type BreakdownPart, part } from '../memory/breakdown.js';
import { kvDtypeLayout } from '../model/dtypes.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { kvCacheBytes } from '../memory/kv-cache.js';
import { layerClasses } from '../model/layer-classes.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { MIB } from '../memory/units.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { layerSlice, padTo, prepared, requireInt, tensorBytes } from './devices.js';
import { excerpt } from '../validate.js';
import { type GpuSpec, gpuCapacityBytes } from './gpus.js';

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
  /** `-fa/--flash-attn on|off|auto` (default auto: on wherever the backend runs FLASH_ATTN_EXT — CPU and CUDA do). */
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

interface ComputeInputs {
  ub: number;
  cells: number;
  swaCells: number;
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
        if (c.kQuant) bytes += 2 * keys * d.kv;
        if (c.vQuant) bytes += 2 * keys * d.kv;
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
    `ggml compute buffer: max(attention, MLP, output) phase at n_ubatch ${c.ub}; peak in ${peak}${c.fa ? ' (flash attention: no score matrix)' : ' (f32 scores n_kv × n_ubatch × n_head)'}`,
    {
      accuracy: 'model',
      source:
        'llama.cpp src/llama-graph.cpp (build_attn_mha, build_ffn), ggml/src/ggml-alloc.c (in-place reuse); fitted to llama.cpp CI logs within 3%',
      parts: {
        attention: part(attention, 'residual + q/k/v (+ fused qkv) + scores or FA output + dequantized KV'),
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

function gpuWeightTotal(gpu: readonly number[], hostRead: number): number {
  const onGpu = gpu.reduce((a, b) => a + b, 0);
  return onGpu + hostRead === 0 ? 0 : onGpu / (onGpu + hostRead);
}

function isBlockQuant(dtype: string): boolean {
  const l = kvDtypeLayout(dtype);
  return l !== undefined && l.blockElements > 1;
}

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
  // -c 0 means the training context (n_ctx_train); unset, common/common.h's default of 4096.
  let ctx = options.ctxSize ?? 4096;
  if (ctx === 0) ctx = arch.maxPositionEmbeddings ?? 4096;
  if (options.ctxSize === undefined) assumptions.push('-c defaulted to 4096 tokens');
  const ub = options.ubatchSize ?? 512;
  const b = options.batchSize ?? 2048;
  const np = options.parallel ?? 1;
  requireInt(ctx, 1, 'llamaCpp.ctxSize', '--ctx-size');
  requireInt(ub, 1, 'llamaCpp.ubatchSize', '--ubatch-size');
  requireInt(b, 1, 'llamaCpp.batchSize', '--batch-size');
  requireInt(np, 1, 'llamaCpp.parallel', '--parallel');
  const ubatch = Math.min(ub, b);
  // src/llama-context.cpp: n_seq_max must be <= LLAMA_MAX_SEQ (256).
  if (np > LLAMA_MAX_SEQ)
    throw refusal(
      'llamaCpp.parallel',
      `n_seq_max must be <= ${LLAMA_MAX_SEQ}`,
      np,
      `--parallel ${np} is more sequences than llama.cpp serves at once; use --parallel ${LLAMA_MAX_SEQ} or fewer`,
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
  const fa = faFlag === 'on' || faFlag === 'auto';
  if (faFlag === 'auto')
    assumptions.push(`-fa auto resolved to on (the ${gpus.length > 0 ? 'CUDA' : 'CPU'} backend runs flash attention)`);
  if (!fa && isBlockQuant(ctv))
    throw refusal(
      'llamaCpp.cacheTypeV',
      'quantized V cache requires flash_attn to be enabled',
      ctv,
      `-ctv ${ctv} needs -fa on (or auto)`,
    );
  const mla = arch.layers.some((l) => isSoftmaxAttention(l.attention) && l.attention.mla !== undefined);
  // MLA caches one latent row that K and V share (src/llama-kv-cache.cpp): the types must agree.
  if (mla && ctk !== ctv)
    throw refusal(
      'llamaCpp.cacheTypeV',
      'MLA requires the K and V cache types to be equal',
      ctv,
      `use the same -ctk and -ctv (e.g. both ${ctk})`,
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
        `--parallel ${np} leaves no cell per sequence in --ctx-size ${ctx}; raise --ctx-size or lower --parallel`,
      );
    nCtx = cells * np;
  }
  const streams = unified ? 1 : np;
  const perStream = cells;
  if (nCtx !== ctx)
    assumptions.push(`-c ${ctx} padded to ${nCtx} cells${unified || np === 1 ? '' : ` (${np} sequences × ${cells})`}`);
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
  requireInt(ngl, 0, 'llamaCpp.nGpuLayers', '--n-gpu-layers');
  if (options.nGpuLayers === undefined && gpus.length > 0)
    assumptions.push(`-ngl defaulted to all ${nLayer + 1} layers`);
  const gpuStart = Math.max(nLayer - ngl, 0);
  const actGpu = Math.min(ngl, nLayer + 1);
  const split = options.tensorSplit ?? gpus.map((g) => gpuCapacityBytes(g));
  if (split.length !== gpus.length) {
    throw new InvalidInputError([
      {
        path: 'llamaCpp.tensorSplit',
        message: `--tensor-split has ${split.length} values for ${gpus.length} GPUs; give one proportion per GPU`,
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
  for (const { tensor, bytes: raw } of tensorBytes(p, options.format)) {
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
    if (dev < 0) {
      hostWeights += bytes;
      if (tensor.role !== 'token_embd' && tensor.role !== 'position_embd')
        largestHostWeight = Math.max(largestHostWeight, bytes);
      else inputWeights += bytes;
    } else weights[dev]! += bytes;
  }

  const kvFor = (from: number, to: number) =>
    to > from
      ? kvCacheBytes(layerSlice(arch, from, to), {
          tokens: cells,
          batch: streams,
          kDtype: ctk,
          vDtype: ctv,
          slidingExtraTokens,
          ignoreWindows,
        })
      : undefined;
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
        `model buffer: ${to - from} layers${outputDevice === d ? ' + output layer' : ''}${mapsWholeFile ? ' + token_embd (Metal maps the whole file)' : ''} in ${options.format.id}`,
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
  const outputRows = options.outputRows ?? np;
  const outputBytes = F32 * (arch.vocabSize + (options.embeddings ? arch.hiddenSize : 0)) * outputRows;
  // Host compute: token embeddings gathered on the CPU (n_embd × n_ubatch f32), token ids and positions,
  // the KQ mask n_kv × pad(n_ubatch, 32) (f16 with FA); plus CPU layers' phases when ops are not offloaded.
  const maskBytes = cells * padTo(ubatch, 32) * (fa ? 2 : 4);
  let hostCompute = F32 * ubatch * arch.hiddenSize + maskBytes + 2 * F32 * ubatch;
  let hostComputePart: BreakdownPart | undefined;
  if (gpus.length === 0) {
    hostComputePart = cpuComputePhases(arch, computeIn);
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
