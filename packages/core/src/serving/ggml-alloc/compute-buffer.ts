/**
 * llama.cpp's compute buffer as ggml-alloc plans it: the reserve graph of the architecture
 * (src/llama-context.cpp sched_reserve → graph_reserve) planned by {@link planGraph} into a backend's
 * buffer type. Memoized per model and per input that changes the graph.
 */
import type { Architecture } from '../../model/architecture.js';
import { type AllocPlan, type PlannerBufferType, planGraph } from './gallocr.js';
import type { GgmlGraph } from './graph.js';
import type { GraphReserveParams } from './llm-graph.js';
import { UnsupportedGraphError } from './unsupported.js';
import { graphBuilderFor } from './registry.js';

/** The llama.cpp settings the reserve graph depends on. */
export interface ComputeBufferInputs {
  /** n_ubatch and n_batch after llama.cpp's clamp (n_ubatch ≤ n_batch). */
  ubatch: number;
  batch: number;
  /** n_ctx after padding (all sequences). */
  nCtx: number;
  /** KV cells per stream, and of the SWA cache (iSWA architectures; else equal to `cells`). */
  cells: number;
  swaCells: number;
  nSeqMax: number;
  unified: boolean;
  flashAttn: boolean;
  /** Cache types as llama.cpp names them (`f16`, `q8_0`). */
  typeK: string;
  typeV: string;
}

/** ggml-backend.cpp ggml_backend_cpu_buffer_type: TENSOR_ALIGNMENT (32), no size limit, ggml_nbytes. */
export const CPU_BUFFER_TYPE: PlannerBufferType = { alignment: 32 };

/**
 * The reserve ubatch (src/llama-context.cpp sched_reserve, graph_reserve): n_tokens = min(n_ctx, n_ubatch)
 * rounded up to a multiple of n_seq_max, with min(n_tokens before that rounding, n_outputs_max = n_batch)
 * outputs (sched_reserve passes n_outputs_pp before graph_reserve rounds n_tokens), every
 * KV cell of every stream viewed (llama_kv_cache_context for init_full: n_kv = the cache size).
 * @param c llama.cpp's settings after its own clamps and padding
 * @returns the parameters the graph builders take
 */
export function reserveParams(c: ComputeBufferInputs): GraphReserveParams {
  const requested = Math.min(c.nCtx, c.ubatch);
  const nTokens = Math.ceil(requested / c.nSeqMax) * c.nSeqMax;
  return {
    nTokens,
    nSeqs: c.nSeqMax,
    nStream: c.unified ? 1 : c.nSeqMax,
    nOutputs: Math.min(requested, c.batch),
    nKv: c.cells,
    nKvSwa: c.swaCells,
    flashAttn: c.flashAttn,
    typeK: c.typeK.toUpperCase(),
    typeV: c.typeV.toUpperCase(),
  };
}

const memo = new WeakMap<Architecture, Map<string, AllocPlan>>();
const MEMO_PER_MODEL = 512;

/**
 * The compute buffer of a backend for the whole model on it, as ggml-alloc plans the reserve graph.
 * @param arch the model (every layer is in the graph)
 * @param ggufArch llama.cpp's architecture name, which picks the graph builder
 * @param c the settings the graph depends on
 * @param buft the backend's buffer type (default the CPU's)
 * @returns the plan (bytes and the tensors live at the peak), or undefined when no builder exists
 */
export function computeBufferPlan(
  arch: Architecture,
  ggufArch: string,
  c: ComputeBufferInputs,
  buft: PlannerBufferType = CPU_BUFFER_TYPE,
  buftKey = 'cpu',
): AllocPlan | undefined {
  const build = graphBuilderFor(ggufArch);
  if (!build) return undefined;
  const p = reserveParams(c);
  const key = `${ggufArch}|${buftKey}|${p.nTokens}|${p.nSeqs}|${p.nStream}|${p.nOutputs}|${p.nKv}|${p.nKvSwa}|${p.flashAttn}|${p.typeK}|${p.typeV}`;
  let byKey = memo.get(arch);
  if (!byKey) {
    byKey = new Map();
    memo.set(arch, byKey);
  }
  const hit = byKey.get(key);
  if (hit) return hit;
  // A sweep over many settings of one model keeps the memo bounded (oldest entries go first).
  if (byKey.size >= MEMO_PER_MODEL) byKey.delete(byKey.keys().next().value!);
  let graph: GgmlGraph;
  try {
    graph = build(arch, p);
  } catch (e) {
    if (e instanceof UnsupportedGraphError) return undefined;
    throw e;
  }
  const plan = planGraph(graph, buft);
  byKey.set(key, plan);
  return plan;
}

/**
 * {@link computeBufferPlan} for the CPU backend.
 * @param arch the model
 * @param ggufArch llama.cpp's architecture name
 * @param c the settings the graph depends on
 * @returns the plan, or undefined when no builder covers the model
 */
export function cpuComputePlan(arch: Architecture, ggufArch: string, c: ComputeBufferInputs): AllocPlan | undefined {
  return computeBufferPlan(arch, ggufArch, c);
}
