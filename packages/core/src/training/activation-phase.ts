import type { PreparedModel } from '../model/prepare-model.js';
import { type TrainableSet, type TrainingActivations, trainingActivationBytes } from './activations.js';
import { CHECKPOINTING } from './checkpointing.js';
import { fusedExpertParameters } from './lora.js';
import { largestLinearElements, trainingMemoOf } from './model-share.js';
import type { TrainableSetup } from './model-states.js';
import { PRECISIONS } from './precision.js';
import type { ResolvedTrainingWorkload } from './workload.js';

/**
 * Activations and logits of one step on this GPU, from the activation model (activations.ts) with the
 * checkpointing policy's saved tensors, the trainable set (what backward needs saved) and, for QLoRA,
 * the dequantized copy of the largest linear weight that bitsandbytes materializes per matmul.
 */
export function activationPhase(
  prepared: PreparedModel,
  w: ResolvedTrainingWorkload,
  setup: TrainableSetup,
): TrainingActivations {
  const prec = PRECISIONS[w.precision];
  const p = w.parallel;
  const policy = CHECKPOINTING[w.checkpointing];
  // peft prepare_model_for_kbit_training casts every parameter that is not 4-bit to fp32, and
  // bitsandbytes' Linear4bit returns its output in the input dtype, so the whole stack runs in fp32
  // (validation/fixtures/activations.json, the qlora rows).
  const kbitFp32 = w.method === 'qlora' && w.kbitUpcast;
  const actBytes = kbitFp32 ? 4 : prec.computeBytes;
  const trainable: TrainableSet =
    setup.peft && setup.plan
      ? {
          modules: new Set(setup.plan.modules.map((m) => m.module)),
          rank: w.lora.rank,
          dora: w.method === 'dora',
          dropout: w.lora.dropout > 0,
          adapterBytes: w.lora.adapterDtype === 'fp32' || kbitFp32 ? 4 : prec.computeBytes,
          fusedExperts: fusedExpertParameters(setup.plan),
        }
      : 'all';
  let transient = 0;
  if (w.method === 'qlora') {
    const memo = trainingMemoOf(prepared);
    memo.largestLinear ??= largestLinearElements(prepared.tensors);
    transient = (memo.largestLinear * prec.computeBytes) / p.tp;
  }
  return trainingActivationBytes(prepared.arch, {
    seq: w.seq,
    microBatch: w.microBatch,
    computeBytes: actBytes,
    hiddenBytes: actBytes,
    attention: w.attention,
    checkpointing: policy.saves,
    ...(w.checkpointEvery ? { checkpointEvery: w.checkpointEvery } : {}),
    kernels: w.kernels,
    loss: w.loss,
    trainable,
    tp: p.tp,
    sequenceParallel: p.sequenceParallel,
    cp: p.cp,
    pp: p.pp,
    microBatchesPerStep: w.gradAccum,
    transientBytes: transient,
    offload: w.activationOffload || policy.offloadsInputs,
    ...(w.moeCapacityFactor ? { moeCapacityFactor: w.moeCapacityFactor } : {}),
    dropout: w.dropout,
    softmax: w.softmax,
    ...(w.attentionDevice ? { attentionDevice: w.attentionDevice } : {}),
    ...(w.linearAttentionKernels ? { linearAttentionKernels: w.linearAttentionKernels } : {}),
  });
}
