import type { Architecture } from '../model/architecture.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { type Tensor, tensorElements } from '../model/tensor.js';
import type { AdapterPlan } from './lora.js';
import type { OptimizerStateBytes, TrainableTensor } from './optimizers.js';

/**
 * The share of a model's elements one rank holds under tensor, pipeline and expert parallelism.
 * Megatron splits layer matrices and the vocabulary by tp, experts by ep; pipeline stages hold ⌈L/pp⌉
 * layers, the first the embedding and the last the head: the larger stage is taken.
 */
export function modelParallelShare(
  arch: Architecture,
  tensors: readonly Tensor[],
  p: { tp: number; pp: number; ep: number },
): number {
  const L = arch.layers.length;
  const perStage = Math.ceil(L / p.pp);
  let layer = 0;
  let embed = 0;
  let head = 0;
  let total = 0;
  for (const t of tensors) {
    if (t.mtp) continue;
    const n = tensorElements(t);
    total += n;
    let share = n;
    if (t.shape.length === 3) share = n / (p.ep * p.tp);
    else if (t.shape.length === 2) share = n / p.tp;
    if (t.layer !== undefined) layer += share;
    else if (t.role === 'token_embd' || t.role === 'token_embd_norm' || t.role === 'position_embd') embed += share;
    else head += share;
  }
  const layers = (layer / L) * perStage;
  const rank =
    p.pp === 1 ? layers + embed + head : Math.max(layers + embed, layers + (arch.tiedEmbeddings ? embed : head));
  return rank / total;
}

/** Every tensor of a full fine-tune as a trainable tensor (MTP heads are not trained). */
export function fullTrainables(tensors: readonly Tensor[]): TrainableTensor[] {
  return tensors
    .filter((t) => !t.mtp)
    .map((t) => ({
      name: t.name,
      shape: t.shape,
      count: 1,
      hiddenMatrix: t.layer !== undefined && t.shape.length >= 2,
    }));
}

/** Elements of the largest 2-D linear weight (embeddings and head excluded). */
export function largestLinearElements(tensors: readonly Tensor[]): number {
  let largest = 0;
  for (const t of tensors)
    if (t.shape.length === 2 && t.role !== 'token_embd' && t.role !== 'output')
      largest = Math.max(largest, tensorElements(t));
  return largest;
}

/**
 * Per-model work that does not depend on the workload, computed once per prepared model (the solvers
 * call estimateTraining many times): the caches are pure functions of their keys.
 */
export interface TrainingMemo {
  full?: TrainableTensor[];
  largestLinear?: number;
  readonly shares: Map<string, number>;
  readonly plans: Map<string, AdapterPlan>;
}
const memos = new WeakMap<PreparedModel, TrainingMemo>();
const optimizerMemo = new WeakMap<readonly TrainableTensor[], Map<string, OptimizerStateBytes>>();

/** The training memo of a prepared model. */
export function trainingMemoOf(model: PreparedModel): TrainingMemo {
  let m = memos.get(model);
  if (!m) {
    m = { shares: new Map(), plans: new Map() };
    memos.set(model, m);
  }
  return m;
}

/** A value cached per trainable set and key (optimizer states depend only on both). */
export function memoizedOptimizer(
  trainables: readonly TrainableTensor[],
  key: string,
  compute: () => OptimizerStateBytes,
): OptimizerStateBytes {
  let cache = optimizerMemo.get(trainables);
  if (!cache) {
    cache = new Map();
    optimizerMemo.set(trainables, cache);
  }
  const hit = cache.get(key);
  if (hit) return hit;
  const value = compute();
  cache.set(key, value);
  return value;
}

/** {@link modelParallelShare} through the memo. */
export function shareOf(model: PreparedModel, p: { tp: number; pp: number; ep: number }): number {
  const memo = trainingMemoOf(model);
  const key = `${p.tp}/${p.pp}/${p.ep}`;
  let share = memo.shares.get(key);
  if (share === undefined) {
    share = modelParallelShare(model.arch, model.tensors, p);
    memo.shares.set(key, share);
  }
  return share;
}
