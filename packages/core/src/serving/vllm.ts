import { inferenceActivationBytes } from '../memory/activations.js';
import type { Architecture, LayerSpec } from '../model/architecture.js';
import { isSoftmaxAttention } from '../model/architecture.js';
import { type Breakdown, type BreakdownPart, part } from '../memory/breakdown.js';
import { normalizeDtypeName } from '../model/dtypes.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { kvCacheBytes } from '../memory/kv-cache.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { GIB, MIB } from '../memory/units.js';
import { plainFormats, type WeightFormat } from '../formats/weight-format.js';
import { memoArch, padTo, prepared, requireInt, requireRange, tensorBytes } from './devices.js';
import { type GpuSpec, gpuCapacityBytes } from './gpus.js';
import { cudaAllocatedBytes } from './cuda-caching-allocator.js';

// vLLM model_executor/layers/vocab_parallel_embedding.py DEFAULT_VOCAB_PADDING_SIZE.
const VOCAB_PADDING = 64;
// Checkpoint tensors vLLM loads into one fused parameter (one allocation per layer and kind).
const FUSED_ALLOCATION: Partial<Record<string, string>> = {
  attn_q: 'qkv',
  attn_k: 'qkv',
  attn_v: 'qkv',
  ffn_gate: 'gate_up',
  ffn_up: 'gate_up',
  ffn_gate_exps: 'w13',
  ffn_up_exps: 'w13',
};

/** vLLM settings, under the engine's own flag names. */
export interface VllmOptions {
  model: Architecture | PreparedModel;
  /** Weight format (default bf16; fp8, GPTQ, AWQ… from @vramkit/quant). */
  format?: WeightFormat;
  /** The GPU every rank runs on. */
  gpu: GpuSpec;
  /** `--tensor-parallel-size/--tp` (default 1). */
  tensorParallelSize?: number;
  /** `--pipeline-parallel-size/--pp` (default 1). */
  pipelineParallelSize?: number;
  /** `--gpu-memory-utilization` (default 0.9): the share of total memory vLLM budgets for itself. */
  gpuMemoryUtilization?: number;
  /** `--max-model-len` (default the model's max_position_embeddings). */
  maxModelLen?: number;
  /** `--max-num-seqs` (default 256): sequences scheduled at once; the sampler is profiled with this many rows. */
  maxNumSeqs?: number;
  /** `--max-num-batched-tokens` (default 8192, V1 `vllm serve` with chunked prefill): tokens of the profiling forward pass. */
  maxNumBatchedTokens?: number;
  /** `--kv-cache-dtype auto|fp8|fp8_e4m3|fp8_e5m2|bfloat16` (default auto = the model dtype, bf16). */
  kvCacheDtype?: string;
  /** `--block-size` (default 16 tokens per KV block). */
  blockSize?: number;
  /** Non-torch memory the profile sees grow (NCCL, cuBLAS workspaces); default 0.16 GiB (vLLM PR #12126 log, TP 1). */
  nonTorchBytes?: number;
  /** Measured activation peak (vLLM's "torch peak memory increase"), replacing the model's estimate. */
  activationPeakBytes?: number;
  /** Measured weights per GPU ("Loading model weights took X GiB"), replacing the inventory's bytes. */
  weightBytesPerGpu?: number;
  /** `--enforce-eager` disables CUDA graphs (default false). */
  enforceEager?: boolean;
  /** CUDA-graph memory, captured after the KV cache is allocated, from the headroom outside the budget (default 0.5 GiB). */
  cudaGraphBytes?: number;
  /** Tokens of the request length for `maxConcurrency` (default `maxModelLen`). */
  concurrencyTokens?: number;
  /** `--disable-hybrid-kv-cache-manager`: page sliding-window layers like full ones (default false). */
  disableHybridKvCacheManager?: boolean;
  /** V0 `--swap-space` in bytes (4 GiB there): CPU blocks for preemption; V1 has none. */
  swapSpaceBytes?: number;
  /** vLLM version whose defaults apply (`--engine vllm@0.6.3`); default: current (V1). */
  version?: string;
  /** V0 `--enable-chunked-prefill` (default: on only when max_model_len > 32,768). V1 always chunks. */
  enableChunkedPrefill?: boolean;
  /**
   * `--speculative-config`: the drafter's weights (loaded beside the target's, split ÷ tp) and its attention
   * layers, whose KV pages join every block of the shared pool (v1/spec_decode, v1/worker/gpu_model_runner.py
   * registers the drafter's attention layers with the KV cache config).
   */
  draft?: { model: Architecture | PreparedModel; weights: BreakdownPart; note: string };
}

/** Block sizes vLLM accepts (vllm/config/cache.py BlockSize). */
export const VLLM_BLOCK_SIZES = [1, 8, 16, 32, 64, 128] as const;

/** The defaults `vllm serve` picks for a version and GPU, and the tokens its profile run processes. */
export interface VllmDefaults {
  engine: 'V0' | 'V1';
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
  chunkedPrefill: boolean;
  /** Tokens of the profiling forward pass. */
  profileTokens: number;
  note: string;
}

/**
 * `vllm serve` defaults by version and GPU class. V1 (0.8+; vllm/engine/arg_utils.py
 * _set_default_args): an OpenAI API server gets max_num_batched_tokens 8192 and max_num_seqs 1024 on a
 * GPU with ≥ 70 GiB that is not an A100, 2048 and 256 otherwise; the profile run
 * (v1/worker/gpu_worker.py determine_available_memory) is one batch of max_num_batched_tokens.
 * V0 (≤ 0.7): max_num_seqs 256; without chunked prefill (its default up to 32,768 positions)
 * max_num_batched_tokens = max(max_model_len, 2048) and the profile run processes max_model_len
 * tokens, so the KV budget shrinks as the length grows; with chunked prefill, 512.
 */
export function vllmDefaults(gpu: GpuSpec, maxModelLen: number, version?: string, chunked?: boolean): VllmDefaults {
  const v = parseVersion(version);
  if (v !== undefined && v < 8) {
    const chunkedPrefill = chunked ?? maxModelLen > 32768;
    const maxNumBatchedTokens = chunkedPrefill ? 512 : Math.max(maxModelLen, 2048);
    return {
      engine: 'V0',
      maxNumBatchedTokens,
      maxNumSeqs: 256,
      chunkedPrefill,
      profileTokens: maxNumBatchedTokens,
      note: `vLLM 0.${v} (V0)${chunkedPrefill ? ', chunked prefill: 512 batched tokens' : `: the profile run processes max_model_len = ${maxModelLen.toLocaleString('en-US')} tokens`}`,
    };
  }
  const large = gpuCapacityBytes(gpu) >= 70 * GIB && !/a100/i.test(`${gpu.id} ${gpu.name}`);
  const maxNumBatchedTokens = large ? 8192 : 2048;
  return {
    engine: 'V1',
    maxNumBatchedTokens,
    maxNumSeqs: large ? 1024 : 256,
    chunkedPrefill: true,
    profileTokens: maxNumBatchedTokens,
    note: `vLLM V1 defaults for ${large ? 'a ≥ 70 GiB GPU (not A100)' : 'a GPU under 70 GiB or an A100'}: --max-num-batched-tokens ${maxNumBatchedTokens}, --max-num-seqs ${large ? 1024 : 256}`,
  };
}

function parseVersion(version: string | undefined): number | undefined {
  if (version === undefined || version === 'current' || version === 'latest') return undefined;
  const m = /^(?:v)?0\.(\d+)(?:\.\d+)*$/.exec(version) ?? /^(?:v)?(\d+)\.\d+/.exec(version);
  if (!m)
    throw new InvalidInputError([
      {
        path: 'vllm.version',
        message: `"${version}" is not a vLLM version; use e.g. vllm@0.6.3 or vllm@0.11.0`,
        received: version,
      },
    ]);
  return version.replace(/^v/, '').startsWith('0.') ? Number(m[1]) : 100;
}

/** Result of {@link vllmMemory}: one GPU's breakdown (every rank is alike) plus the KV pool. */
export interface VllmEstimate extends Breakdown {
  engine: 'vllm';
  gpu: GpuSpec;
  capacityBytes: number;
  /** `total × gpu_memory_utilization`: the budget, not a need. */
  budgetBytes: number;
  /** Memory left for KV blocks on one GPU after weights, activation peak and non-torch memory. */
  kvBudgetBytes: number;
  /** Bytes of one KV block (block_size tokens × every layer on this rank). */
  blockBytes: number;
  /** Tokens per block (`--block-size`). */
  blockSize: number;
  numGpuBlocks: number;
  numCpuBlocks?: number;
  /** Tokens the KV pool holds (num_gpu_blocks × block_size). */
  kvTokens: number;
  /** Requests of `concurrencyTokens` that fit at once (memory), and capped by max_num_seqs. */
  maxConcurrency: number;
  /** What vLLM prints: "Maximum concurrency for N tokens per request: 6.65x" (KV tokens / max_model_len). */
  concurrencyFactor: number;
  /** The engine's V0/V1 defaults that applied. */
  defaults: VllmDefaults;
  /** vLLM's refusal to start, with its remedy, when one max_model_len request does not fit the KV cache. */
  refusal?: string;
  /** Largest max_model_len that runs (batch 1): the KV pool, capped by the model's positions. */
  maxContext: number;
  maxModelLen: number;
  /** Whether vLLM starts: weights and peak fit the budget and one max_model_len request fits the KV pool. */
  fits: boolean;
  /** What limits it: `budget` (no memory for KV), `kv-cache` (max_model_len does not fit), or `none`. */
  binding: 'budget' | 'kv-cache' | 'none';
  /** Whether budget + CUDA graphs stay within the GPU's memory. */
  headroomOk: boolean;
  assumptions: string[];
}

const KV_DTYPES: Record<string, string> = {
  auto: 'bf16',
  bf16: 'bf16',
  bfloat16: 'bf16',
  f16: 'f16',
  fp8: 'fp8',
  fp8_e4m3: 'fp8',
  fp8_e5m2: 'fp8',
  fp8_inc: 'fp8',
};

/** The slice of each layer one tensor-parallel rank holds: heads, KV heads (replicated below tp) and FFN width ÷ tp. */
function rankLayer(l: LayerSpec, tp: number): LayerSpec {
  const a = l.attention;
  const attention = isSoftmaxAttention(a)
    ? { ...a, numHeads: Math.ceil(a.numHeads / tp), numKvHeads: Math.max(1, Math.floor(a.numKvHeads / tp)) }
    : a;
  const m = l.mlp;
  const mlp =
    m.kind === 'dense'
      ? { ...m, intermediateSize: Math.ceil(m.intermediateSize / tp) }
      : { ...m, expertIntermediateSize: Math.ceil(m.expertIntermediateSize / tp) };
  return { ...l, attention, mlp };
}

function rankArch(arch: Architecture, tp: number, from: number, to: number): Architecture {
  return memoArch(arch, `rank:${tp}:${from}:${to}`, () => buildRankArch(arch, tp, from, to));
}

function buildRankArch(arch: Architecture, tp: number, from: number, to: number): Architecture {
  const memo = new Map<LayerSpec, LayerSpec>();
  return {
    ...arch,
    layers: arch.layers.slice(from, to).map((l) => {
      let r = memo.get(l);
      if (!r) {
        r = rankLayer(l, tp);
        memo.set(l, r);
      }
      return r;
    }),
  };
}

/**
 * What vLLM allocates on each GPU: weights per TP rank, the profiled activation peak, non-torch
 * memory, and the paged KV pool that fills what is left of `total × gpu_memory_utilization`.
 *
 * vllm.v1.worker.gpu_worker (vllm/v1 gpu_worker.py) determine_available_memory: available KV memory = requested memory
 * (total × utilization) − (weights + torch peak increase of the profile run + non-torch increase).
 * vllm/v1/core/kv_cache_utils.py: num_blocks = available // page_size // num_layers; a block holds
 * block_size tokens of every layer; a request needs cdiv(len, block_size) blocks; the engine refuses to
 * start when max_model_len tokens do not fit. Hybrid sliding/full models are grouped as the hybrid KV
 * cache manager does (see pagedLayout). CUDA graphs are captured after the KV allocation, from the
 * memory outside the budget.
 * @param options vLLM flags (see {@link VllmOptions})
 * @returns one GPU's breakdown and the KV pool figures
 * @throws InvalidInputError for out-of-range flags, or a tensor-parallel size that does not divide the heads
 */
export function vllmMemory(options: VllmOptions): VllmEstimate {
  const p = prepared(options.model);
  const arch = p.arch;
  const assumptions: string[] = [];
  const tp = options.tensorParallelSize ?? 1;
  const pp = options.pipelineParallelSize ?? 1;
  const util = options.gpuMemoryUtilization ?? 0.9;
  const blockSize = options.blockSize ?? 16;
  if (!(VLLM_BLOCK_SIZES as readonly number[]).includes(blockSize)) {
    throw new InvalidInputError([
      {
        path: 'vllm.blockSize',
        message: `vLLM refuses block_size ${blockSize}: it takes ${VLLM_BLOCK_SIZES.join(', ')}`,
        received: blockSize,
      },
    ]);
  }
  const maxModelLenEarly = options.maxModelLen ?? arch.maxPositionEmbeddings;
  if (
    maxModelLenEarly !== undefined &&
    arch.maxPositionEmbeddings !== undefined &&
    maxModelLenEarly > arch.maxPositionEmbeddings
  ) {
    throw new InvalidInputError([
      {
        path: 'vllm.maxModelLen',
        message: `vLLM refuses to start: max_model_len ${maxModelLenEarly} is greater than the model's max_position_embeddings ${arch.maxPositionEmbeddings} (vllm/config/model.py); use ${arch.maxPositionEmbeddings} or less`,
        received: maxModelLenEarly,
      },
    ]);
  }
  if (options.maxModelLen !== undefined && options.concurrencyTokens === undefined && options.maxModelLen < blockSize) {
    throw new InvalidInputError([
      {
        path: 'vllm.maxModelLen',
        message: `${options.maxModelLen} is below one KV block of ${blockSize} tokens; use at least ${blockSize}`,
        received: options.maxModelLen,
      },
    ]);
  }
  const defaults = vllmDefaults(options.gpu, maxModelLenEarly ?? 4096, options.version, options.enableChunkedPrefill);
  const maxNumSeqs = options.maxNumSeqs ?? defaults.maxNumSeqs;
  const batched = options.maxNumBatchedTokens ?? defaults.maxNumBatchedTokens;
  if (options.maxNumSeqs === undefined || options.maxNumBatchedTokens === undefined) assumptions.push(defaults.note);
  requireInt(tp, 1, 'vllm.tensorParallelSize', 'tensor_parallel_size');
  requireInt(pp, 1, 'vllm.pipelineParallelSize', 'pipeline_parallel_size');
  requireRange(util, 0.01, 1, 'vllm.gpuMemoryUtilization', 'gpu_memory_utilization');
  requireInt(blockSize, 1, 'vllm.blockSize', 'block_size');
  requireInt(maxNumSeqs, 1, 'vllm.maxNumSeqs', 'max_num_seqs');
  requireInt(batched, 1, 'vllm.maxNumBatchedTokens', 'max_num_batched_tokens');
  const heads = arch.layers.map((l) => l.attention).find(isSoftmaxAttention)?.numHeads;
  if (heads !== undefined && heads % tp !== 0) {
    throw new InvalidInputError([
      {
        path: 'vllm.tensorParallelSize',
        message: `${heads} attention heads are not divisible by tensor_parallel_size ${tp}; vLLM requires it`,
        received: tp,
      },
    ]);
  }
  if (pp > arch.layers.length)
    throw new InvalidInputError([
      {
        path: 'vllm.pipelineParallelSize',
        message: `pipeline_parallel_size ${pp} exceeds ${arch.layers.length} layers`,
        received: pp,
      },
    ]);
  const maxModelLen = options.maxModelLen ?? arch.maxPositionEmbeddings;
  if (maxModelLen === undefined)
    throw new InvalidInputError([
      {
        path: 'vllm.maxModelLen',
        message: 'the model states no max_position_embeddings; give max_model_len',
        received: undefined,
      },
    ]);
  if (options.maxModelLen === undefined)
    assumptions.push(`--max-model-len defaulted to the model's ${maxModelLen.toLocaleString('en-US')} positions`);
  requireInt(maxModelLen, 1, 'vllm.maxModelLen', 'max_model_len');
  const kvName = KV_DTYPES[normalizeDtypeName(options.kvCacheDtype ?? 'auto')];
  if (!kvName)
    throw new InvalidInputError([
      {
        path: 'vllm.kvCacheDtype',
        message: 'use auto, bfloat16, fp8, fp8_e4m3 or fp8_e5m2',
        received: options.kvCacheDtype,
      },
    ]);
  const format = options.format ?? plainFormats.bf16;
  if (options.format === undefined) assumptions.push('weights in bf16');

  // Pipeline stages: layers split evenly; the first stage also holds the embedding, the last the output.
  const perStage = Math.ceil(arch.layers.length / pp);
  const stageOf = (layer: number) => Math.floor(layer / perStage);
  const stageBytes = Array.from({ length: pp }, () => 0);
  // vLLM's parameters per stage, in creation order: fused q/k/v (QKVParallelLinear), gate/up
  // (MergedColumnParallelLinear, FusedMoE w13) each one allocation; the vocabulary padded to 64 rows.
  const stageAllocs = Array.from({ length: pp }, () => new Map<string, number>());
  for (const { tensor, bytes } of tensorBytes(p, format)) {
    const stage =
      tensor.layer !== undefined
        ? stageOf(tensor.layer)
        : tensor.role === 'token_embd' || tensor.role === 'position_embd'
          ? 0
          : pp - 1;
    let share = bytes;
    if (tensor.shape.length >= 2) {
      // Column/row-parallel linears and the vocab-parallel embedding split ÷ tp; KV heads replicate below tp.
      const a = tensor.layer !== undefined ? arch.layers[tensor.layer]?.attention : undefined;
      if ((tensor.role === 'attn_k' || tensor.role === 'attn_v') && a && isSoftmaxAttention(a) && a.numKvHeads < tp)
        share = bytes / a.numKvHeads;
      else share = bytes / tp;
    }
    stageBytes[stage]! += share;
    const rows = tensor.shape[0] ?? 0;
    const vocab = (tensor.role === 'token_embd' || tensor.role === 'output') && tensor.shape.length === 2 && rows > 0;
    const alloc = vocab ? (share * padTo(rows, VOCAB_PADDING)) / rows : share;
    const group = FUSED_ALLOCATION[tensor.role];
    const key =
      group && tensor.layer !== undefined
        ? `${tensor.layer} ${group} ${tensor.kind}`
        : `${stageAllocs[stage]!.size} ${tensor.name}`;
    stageAllocs[stage]!.set(key, (stageAllocs[stage]!.get(key) ?? 0) + alloc);
  }
  const worstStage = stageBytes.indexOf(Math.max(...stageBytes));
  const from = worstStage * perStage;
  const to = Math.min(arch.layers.length, from + perStage);
  const rank = rankArch(arch, tp, from, to);
  // "Model loading took" is torch.cuda.memory_allocated() grown over the load (vllm utils
  // DeviceMemoryProfiler): the caching allocator's blocks, not the tensors' bytes.
  const loaded = cudaAllocatedBytes([...stageAllocs[worstStage]!.values()].map((b) => Math.ceil(b)));
  const weights = options.weightBytesPerGpu ?? loaded.allocated;

  const kvDtype = kvName;
  const layout = pagedLayout(rank, {
    blockSize,
    kvDtype,
    maxNumBatchedTokens: batched,
    hybrid: !options.disableHybridKvCacheManager,
  });
  // The drafter's layers page with the target's: each block holds block_size tokens of its layers too.
  const draftArch = options.draft ? prepared(options.draft.model).arch : undefined;
  const draftBlockBytes = draftArch
    ? kvCacheBytes(rankArch(draftArch, tp, 0, draftArch.layers.length), {
        tokens: blockSize,
        batch: 1,
        kDtype: kvName,
        vDtype: kvName,
        ignoreWindows: true,
        mlaCache: 'latent',
      }).bytes
    : 0;
  const draftWeights = options.draft ? Math.ceil(options.draft.weights.bytes / tp) : 0;
  const blockBytes = layout.blockBytes + draftBlockBytes;
  const block = layout.block;
  assumptions.push(...layout.notes);

  const capacityBytes = gpuCapacityBytes(options.gpu);
  const budgetBytes = Math.floor(capacityBytes * util);
  const activation =
    options.activationPeakBytes !== undefined
      ? part(options.activationPeakBytes, 'measured activation peak (given)', { accuracy: 'exact' })
      : profilePeak(
          rank,
          defaults.engine === 'V0' && !defaults.chunkedPrefill && options.maxNumBatchedTokens === undefined
            ? Math.max(maxModelLen, 2048)
            : batched,
          maxNumSeqs,
          arch.vocabSize,
        );
  const nonTorch = options.nonTorchBytes ?? Math.round(0.16 * GIB);
  if (options.nonTorchBytes === undefined)
    assumptions.push('non-torch memory 0.16 GiB (vLLM PR #12126 log on H100, TP 1); NCCL buffers under TP add more');
  const kvBudgetBytes = Math.max(0, budgetBytes - weights - draftWeights - activation.bytes - nonTorch);
  const numGpuBlocks = Math.floor(kvBudgetBytes / blockBytes);
  // vLLM prints "GPU KV cache size: num_blocks // num_groups × block_size tokens".
  const kvTokens = Math.floor(numGpuBlocks / layout.groups) * blockSize;
  const longest = longestRequest(layout, numGpuBlocks);
  const maxContext = Math.min(longest, arch.maxPositionEmbeddings ?? longest);
  const reqTokens = options.concurrencyTokens ?? maxModelLen;
  const memoryConcurrency = Math.floor(numGpuBlocks / layout.blocksPerRequest(reqTokens));
  const maxConcurrency = Math.min(memoryConcurrency, maxNumSeqs);
  // vllm/v1/core/kv_cache_utils.py: "Maximum concurrency for {max_model_len} tokens per request: {x:.2f}x".
  const concurrencyFactor = Math.floor((kvTokens / maxModelLen) * 100) / 100;
  const binding =
    budgetBytes - weights - draftWeights - activation.bytes - nonTorch <= 0
      ? 'budget'
      : layout.blocksPerRequest(maxModelLen) > numGpuBlocks
        ? 'kv-cache'
        : 'none';
  const cudaGraphBytes = options.enforceEager ? 0 : (options.cudaGraphBytes ?? 512 * MIB);
  if (!options.enforceEager && options.cudaGraphBytes === undefined)
    assumptions.push('CUDA graphs ≈ 0.5 GiB (typical "Graph capturing finished … took" log lines), outside the budget');
  const targetBlockBytes = layout.blockBytes;
  const kvPart = part(
    numGpuBlocks * targetBlockBytes,
    `${numGpuBlocks.toLocaleString('en-US')} blocks × ${blockSize} tokens × ${(targetBlockBytes / blockSize).toLocaleString('en-US')} B/token (${rank.layers.length} layers on this rank, ${kvDtype})`,
    {
      accuracy: 'exact',
      source: 'vllm/v1/core/kv_cache_utils.py get_num_blocks',
      parts: block.parts,
    },
  );
  const parts: Record<string, BreakdownPart> = {
    weights: part(
      weights,
      options.weightBytesPerGpu !== undefined
        ? 'measured weights per GPU (given)'
        : `weights per GPU (tp ${tp}, pp ${pp}) in ${format.id}, as the CUDA caching allocator counts them`,
      {
        accuracy: 'exact',
        ...(options.weightBytesPerGpu !== undefined
          ? {}
          : {
              source: 'vllm utils DeviceMemoryProfiler; c10/cuda/CUDACachingAllocator.cpp',
              parts: {
                tensors: part(Math.ceil(stageBytes[worstStage]!), `the tensors' bytes on this GPU`),
                padding: part(
                  loaded.requested - Math.ceil(stageBytes[worstStage]!),
                  'vocabulary padded to a multiple of 64 rows (vocab_parallel_embedding pad_vocab_size)',
                ),
                blocks: part(
                  loaded.allocated - loaded.requested,
                  'caching-allocator blocks kept whole (512 B rounding, unsplit remainders ≤ 1 MiB)',
                ),
              },
            }),
      },
    ),
    kvCache: kvPart,
    activations: activation,
    overhead: part(nonTorch + cudaGraphBytes, 'non-torch memory (in the budget) + CUDA graphs (outside it)', {
      accuracy: 'model',
      parts: {
        nonTorch: part(nonTorch, 'NCCL / cuBLAS / CUDA allocations the profile sees grow'),
        cudaGraphs: part(
          cudaGraphBytes,
          options.enforceEager ? '--enforce-eager: none' : 'captured after the KV allocation',
        ),
      },
    }),
  };
  if (options.draft && draftArch) {
    const draftKv = numGpuBlocks * draftBlockBytes;
    parts.draft = part(draftWeights + draftKv, options.draft.note, {
      accuracy: 'model',
      parts: {
        weights: part(draftWeights, `${options.draft.weights.note} ÷ tp ${tp}`, {
          accuracy: options.draft.weights.accuracy ?? 'model',
        }),
        kvCache: part(
          draftKv,
          `${numGpuBlocks.toLocaleString('en-US')} blocks × ${(draftBlockBytes / blockSize).toLocaleString('en-US')} B/token (${draftArch.layers.length} drafter layers, ${kvDtype})`,
          { accuracy: 'exact', source: 'vllm/v1/core/kv_cache_utils.py get_num_blocks' },
        ),
      },
    });
  }
  const total = Object.values(parts).reduce((s, x) => s + x.bytes, 0);
  const result: VllmEstimate = {
    engine: 'vllm',
    gpu: options.gpu,
    capacityBytes,
    budgetBytes,
    kvBudgetBytes,
    blockBytes,
    blockSize,
    numGpuBlocks,
    kvTokens,
    maxConcurrency,
    concurrencyFactor,
    defaults,
    maxContext,
    maxModelLen,
    fits: binding === 'none',
    binding,
    headroomOk: budgetBytes + cudaGraphBytes <= capacityBytes,
    total,
    parts,
    assumptions,
  };
  if (binding === 'kv-cache') {
    // vllm/v1/core/kv_cache_utils.py check_enough_kv_cache_memory raises with the estimated maximum model length.
    result.refusal = `vLLM refuses to start: one request of max_model_len ${maxModelLen.toLocaleString('en-US')} needs more KV cache than the ${(kvBudgetBytes / GIB).toFixed(2)} GiB available; the estimated maximum model length is ${maxContext.toLocaleString('en-US')}: use --max-model-len ${maxContext} or raise --gpu-memory-utilization`;
  } else if (binding === 'budget') {
    result.refusal =
      'vLLM refuses to start: no memory is left for the KV cache after the weights and the profile run; raise --gpu-memory-utilization, use more GPUs (--tensor-parallel-size) or a smaller format';
  }
  if (options.swapSpaceBytes !== undefined) result.numCpuBlocks = Math.floor(options.swapSpaceBytes / blockBytes);
  return result;
}

/** How vLLM pages the KV cache of one rank. */
interface PagedLayout {
  /** Bytes of one block: a page of block_size tokens for each layer of a group (shared by all groups). */
  blockBytes: number;
  /** KV cache groups (one per block table). */
  groups: number;
  /** Blocks one request of `tokens` tokens takes, summed over the groups. */
  blocksPerRequest(tokens: number): number;
  block: BreakdownPart;
  notes: string[];
}

/**
 * vllm/v1/core/kv_cache_utils.py: layers of one attention type share a spec; with several types and one
 * page size (_get_kv_cache_groups_uniform_page_size) the layers are split into groups of `group_size`
 * layers — the smallest type's layer count, or the largest when it is under 1.5× the smallest — each
 * group with its own block table, all drawing from one pool whose block holds a page per group layer.
 * A full-attention group needs cdiv(len, block_size) blocks per request; a sliding-window group at most
 * cdiv(min(window − 1 + max_num_batched_tokens, len), block_size) + 1 (SlidingWindowSpec.max_memory_usage_bytes);
 * a chunked-local group the same with the chunk size.
 */
function pagedLayout(
  rank: Architecture,
  o: { blockSize: number; kvDtype: string; maxNumBatchedTokens: number; hybrid: boolean },
): PagedLayout {
  const cdiv = (a: number, b: number) => Math.ceil(a / b);
  const all = kvCacheBytes(rank, {
    tokens: o.blockSize,
    batch: 1,
    kDtype: o.kvDtype,
    vDtype: o.kvDtype,
    ignoreWindows: true,
    mlaCache: 'latent',
  });
  const uniform: PagedLayout = {
    blockBytes: all.bytes,
    groups: 1,
    blocksPerRequest: (t) => cdiv(t, o.blockSize),
    block: all,
    notes: [],
  };
  const types = new Map<string, { count: number; window?: number; page: number }>();
  for (const l of rank.layers) {
    const a = l.attention;
    if (!isSoftmaxAttention(a)) {
      uniform.notes.push(
        'recurrent-state (Mamba / linear-attention) layers are paged like attention layers here; vLLM sizes their state separately',
      );
      return uniform;
    }
    const local = a.kind !== 'full' && a.window !== undefined && o.hybrid;
    const key = local ? `${a.kind}:${a.window}` : 'full';
    const page = kvCacheBytes(
      { ...rank, layers: [l] },
      { tokens: o.blockSize, batch: 1, kDtype: o.kvDtype, vDtype: o.kvDtype, ignoreWindows: true, mlaCache: 'latent' },
    ).bytes;
    const t = types.get(key) ?? { count: 0, page, ...(local ? { window: a.window } : {}) };
    if (t.page !== page)
      return {
        ...uniform,
        notes: ['layers of one attention type differ in page size; every layer paged as full attention'],
      };
    t.count += 1;
    types.set(key, t);
  }
  if (types.size <= 1) {
    if (!o.hybrid && rank.layers.some((l) => l.attention.kind !== 'full'))
      uniform.notes.push('--disable-hybrid-kv-cache-manager: sliding-window layers paged like full attention');
    return uniform;
  }
  const pages = new Set([...types.values()].map((t) => t.page));
  if (pages.size > 1)
    return {
      ...uniform,
      notes: [
        'attention types differ in page size; every layer paged as full attention (vLLM would resize blocks per type)',
      ],
    };
  const counts = [...types.values()].map((t) => t.count);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const groupSize = max < min * 1.5 ? max : min;
  const page = [...pages][0]!;
  const perType = [...types.values()].map((t) => ({ ...t, groups: cdiv(t.count, groupSize) }));
  const groups = perType.reduce((s, t) => s + t.groups, 0);
  const blocksPerRequest = (tokens: number) =>
    perType.reduce(
      (s, t) =>
        s +
        t.groups *
          (t.window === undefined
            ? cdiv(tokens, o.blockSize)
            : cdiv(Math.min(t.window - 1 + o.maxNumBatchedTokens, tokens), o.blockSize) + 1),
      0,
    );
  const blockBytes = page * groupSize;
  const block = part(
    blockBytes,
    `hybrid allocator: ${groups} groups of ${groupSize} layers, one ${page.toLocaleString('en-US')} B page per group layer per block`,
    {
      accuracy: 'exact',
      source: 'vllm/v1/core/kv_cache_utils.py _get_kv_cache_groups_uniform_page_size',
    },
  );
  return {
    blockBytes,
    groups,
    blocksPerRequest,
    block,
    notes: [
      `vLLM hybrid KV cache: ${groups} block tables of ${groupSize} layers; sliding-window groups hold window + max_num_batched_tokens tokens`,
    ],
  };
}

/** Longest request (tokens) whose blocks fit the pool, by bisection over blocksPerRequest. */
function longestRequest(layout: PagedLayout, blocks: number): number {
  if (layout.blocksPerRequest(1) > blocks) return 0;
  let lo = 1;
  let hi = 2;
  while (layout.blocksPerRequest(hi) <= blocks && hi < 2 ** 40) hi *= 2;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (layout.blocksPerRequest(mid) <= blocks) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The profile run's activation peak: one forward pass of max_num_batched_tokens tokens (flash
 * attention, bf16) on one rank's slice of the model, then the sampler over max_num_seqs rows of fp32
 * logits (logits, probabilities and log-probabilities: 3 copies; vllm.v1.worker.gpu_model_runner (gpu_model_runner.py)
 * profile_run and _dummy_sampler_run).
 */
function profilePeak(rank: Architecture, tokens: number, seqs: number, vocab: number): BreakdownPart {
  const forward = inferenceActivationBytes(rank, {
    chunkTokens: tokens,
    batch: 1,
    activationBytes: 2,
    attention: 'flash',
    logits: 'none',
  });
  const sampler = seqs * vocab * 4 * 3;
  return part(
    forward.bytes + sampler,
    `profile run: forward of ${tokens.toLocaleString('en-US')} tokens + sampler over ${seqs} × ${vocab.toLocaleString('en-US')} fp32 logits × 3`,
    {
      accuracy: 'model',
      source: 'vllm.v1.worker.gpu_model_runner (gpu_model_runner.py) profile_run, _dummy_sampler_run',
      parts: { forward, sampler: part(sampler, 'logits, probs, logprobs: max_num_seqs × vocab × 4 B × 3') },
    },
  );
}
