import { tensorElements } from '../model/tensor.js';
import type { ModelStates, TrainableSetup } from './model-states.js';
import { OPTIMIZER_STEP } from './optimizers.js';
import type { ResolvedTrainingWorkload } from './workload.js';

/** Memory `optimizer.step()` allocates besides the states, per GPU. */
export interface StepTemporaries {
  /** torch's foreach AdamW: one state-sized list (sqrt of exp_avg_sq) during step(). */
  foreach: number;
  /** torchao's 8-bit step: the largest tensor's two states dequantized to fp32. */
  dequantized: number;
  /** foreach + dequantized. */
  total: number;
}

/**
 * Step temporaries from the optimizer table ({@link OPTIMIZER_STEP}): none when the step runs on the
 * CPU (offload); no foreach list with a fused implementation or the step fused into backward.
 */
export function stepTemporaries(
  w: ResolvedTrainingWorkload,
  setup: TrainableSetup,
  states: ModelStates,
  share: number,
  optimizerOffloaded: boolean,
): StepTemporaries {
  const step = OPTIMIZER_STEP[w.optimizer];
  const foreach =
    w.optimizerImpl === 'foreach' && !optimizerOffloaded && !w.optimizerInBackward && step.foreachTemporary
      ? (states.trainableParams * setup.stateBytes.stateBytes) / states.divisors.optimizer
      : 0;
  const dequantized =
    step.dequantizedBytesPerElement > 0 && !optimizerOffloaded
      ? step.dequantizedBytesPerElement * Math.max(...setup.trainables.map((t) => tensorElements(t))) * share
      : 0;
  return { foreach, dequantized, total: foreach + dequantized };
}
