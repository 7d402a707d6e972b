import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { tensorElements } from '../model/tensor.js';
import { plainFormats, type WeightFormat } from '../formats/weight-format.js';
import { type AdapterPlan, type LoraOptions, peftPrintedCounts, resolveAdapters } from './lora.js';
import { fullTrainables, memoizedOptimizer, trainingMemoOf } from './model-share.js';
import { type OptimizerStateBytes, optimizerStateBytes, type TrainableTensor } from './optimizers.js';
import { FP32_ADAPTER_STATES, PRECISIONS, type StateBytes } from './precision.js';
import type { ResolvedTrainingWorkload } from './workload.js';

/** What is trained and what is frozen: the adapter plan (PEFT) or every tensor, and the frozen base. */
export interface TrainableSetup {
  peft: boolean;
  plan?: AdapterPlan;
  trainables: readonly TrainableTensor[];
  /** Bytes of the whole frozen base (0 for full fine-tuning). */
  frozenBytes: number;
  /** Format id of the frozen base ('' for full fine-tuning). */
  frozenType: string;
  /** Bytes per element of the trainable tensors' weights, master, gradients and states. */
  stateBytes: StateBytes;
  /** The counts peft prints (trainable, all). */
  printed: { trainable: number; all: number };
  assumptions: string[];
}

/**
 * The trainable set of a workload: peft's adapters or the whole model, the frozen base in its format
 * (peft's `prepare_model_for_kbit_training` upcasts the 16-bit rest to fp32 with `kbitUpcast`).
 * @throws InvalidInputError for QLoRA without `baseFormat`
 */
export function trainableSetup(
  prepared: PreparedModel,
  w: ResolvedTrainingWorkload,
  baseFormat: WeightFormat | undefined,
  expertLayout: LoraOptions['expertLayout'],
): TrainableSetup {
  const prec = PRECISIONS[w.precision];
  const memo = trainingMemoOf(prepared);
  if (w.method === 'full') {
    if (w.lora.targetParameters)
      throw new InvalidInputError([
        {
          path: 'lora.targetParameters',
          message: 'fused expert parameters are LoRA targets; they apply to `method` lora or qlora, not full',
          received: w.lora.targetParameters,
        },
      ]);
    memo.full ??= fullTrainables(prepared.tensors);
    return {
      peft: false,
      trainables: memo.full,
      frozenBytes: 0,
      frozenType: '',
      stateBytes: prec,
      printed: { trainable: prepared.parameters.total, all: prepared.parameters.total },
      assumptions: [],
    };
  }
  const loraOptions: LoraOptions = {
    rank: w.lora.rank,
    targets: w.lora.targets,
    ...(w.lora.modulesToSave ? { modulesToSave: w.lora.modulesToSave } : {}),
    dora: w.method === 'dora',
    ...(w.lora.expertModules ? { expertModules: w.lora.expertModules } : {}),
    ...(expertLayout ? { expertLayout } : {}),
    ...(w.lora.targetParameters ? { targetParameters: w.lora.targetParameters } : {}),
    ...(w.lora.dropout > 0 ? { dropout: w.lora.dropout } : {}),
  };
  const planKey = JSON.stringify(loraOptions);
  const plan = memo.plans.get(planKey) ?? resolveAdapters(prepared, loraOptions);
  memo.plans.set(planKey, plan);
  if (w.method === 'qlora' && !baseFormat) {
    // One implementation of bitsandbytes 4-bit lives in @vramkit/quant; core takes it from the caller.
    throw new InvalidInputError([
      {
        path: 'baseFormat',
        message:
          "QLoRA needs the frozen base's weight format: pass baseFormat, e.g. @vramkit/quant's bnb4bitFormat({ doubleQuant: true })",
        received: undefined,
      },
    ]);
  }
  const fmt = baseFormat ?? plainFormats[prec.computeDtype];
  // peft prepare_model_for_kbit_training casts every parameter the format left 16-bit to fp32.
  const upcast =
    w.method === 'qlora' && w.kbitUpcast
      ? prepared.tensors.reduce((s, t) => {
          const b = fmt.bytesForTensor(t, { arch: prepared.arch, numLayers: prepared.arch.layers.length });
          return b.type === 'bf16' || b.type === 'f16' ? s + 2 * tensorElements(t) : s;
        }, 0)
      : 0;
  return {
    peft: true,
    plan,
    trainables: plan.tensors,
    frozenBytes: prepared.weightsIn(fmt).total + upcast,
    frozenType: fmt.id,
    // torchtune's adapters follow the model dtype; peft's fp32 adapters carry their own fp32 states.
    stateBytes: w.lora.adapterDtype === 'fp32' ? FP32_ADAPTER_STATES : prec,
    printed: peftPrintedCounts(prepared, plan),
    assumptions: plan.unmatchedTargets.length
      ? [`targets ${plan.unmatchedTargets.join(', ')} match no module and adapt nothing`]
      : [],
  };
}

/** How far each model-state kind is sharded: ZeRO stage ≥ 3 weights, ≥ 2 gradients, ≥ 1 optimizer. */
export interface StateDivisors {
  weights: number;
  gradients: number;
  optimizer: number;
}

/** The divisors of a sharding stage over `degree` ranks (Rajbhandari et al. 2020, §5). */
export function stateDivisors(stage: number, degree: number): StateDivisors {
  return {
    weights: stage >= 3 ? degree : 1,
    gradients: stage >= 2 ? degree : 1,
    optimizer: stage >= 1 ? degree : 1,
  };
}

/** Model states of one GPU before any offload (fractional bytes; parts round up). */
export interface ModelStates {
  /** Trainable elements on this rank (after the model-parallel share). */
  trainableParams: number;
  divisors: StateDivisors;
  trainWeights: number;
  master: number;
  frozen: number;
  /** Autocast / fp8 compute copies of the materialized weights. */
  copies: number;
  optimizer: number;
  /** What of `optimizer` sits in paged (unified) memory. */
  pagedOptimizer: number;
  gradients: number;
  /** The unsharded optimizer states of the whole trainable set, with their note and source. */
  optimizerStates: OptimizerStateBytes;
  /** Elements of the largest layer on this rank (after TP). */
  largestLayerParams: number;
}

/**
 * Per-GPU model states: trainable weights, fp32 master, frozen base, compute copies, optimizer states
 * and gradients, each divided by its sharding degree and the model-parallel share.
 */
export function modelStates(
  prepared: PreparedModel,
  w: ResolvedTrainingWorkload,
  setup: TrainableSetup,
  share: number,
  divisors: StateDivisors,
): ModelStates {
  const prec = PRECISIONS[w.precision];
  const st = setup.stateBytes;
  const T = setup.trainables.reduce((s, t) => s + t.count * tensorElements(t), 0) * share;
  const largestLayerParams = Math.max(...prepared.parameters.perLayer, 0) / w.parallel.tp;
  // Compute copies (autocast cache, fp8 weight + transpose) exist per weight that is materialized: with
  // sharded weights (FSDP / ZeRO-3) only the gathered units are cast — torchao float8 under FSDP2 casts at
  // all-gather (torchao/float8/fsdp_utils.py WeightWithDynamicFloat8CastTensor), Transformer Engine per
  // gathered module — so the copy is the current and prefetched layer, not the whole model.
  const copies = setup.peft
    ? 0
    : divisors.weights > 1
      ? 2 * largestLayerParams * prec.computeCopyBytes
      : T * prec.computeCopyBytes;
  const opt = memoizedOptimizer(setup.trainables, `${w.optimizer}/${st.stateBytes}`, () =>
    optimizerStateBytes(setup.trainables, w.optimizer, st.stateBytes),
  );
  return {
    trainableParams: T,
    divisors,
    trainWeights: (T * st.weightBytes) / divisors.weights,
    master: (T * st.masterBytes) / divisors.optimizer,
    frozen: (setup.frozenBytes * share) / divisors.weights,
    copies,
    optimizer: (opt.bytes * share) / divisors.optimizer,
    pagedOptimizer: (opt.pagedBytes * share) / divisors.optimizer,
    gradients: (T * st.gradBytes) / divisors.gradients,
    optimizerStates: opt,
    largestLayerParams,
  };
}
