import type { BreakdownPart } from '../memory/breakdown.js';
import { DEFAULT_OVERHEAD, type OverheadOptions, overheadBytes } from '../memory/overhead.js';

/** What is resident in each of the two candidate peaks of a step. */
export interface PeakInput {
  /** Weights, master, frozen base, compute copies, optimizer states and communication buffers on the GPU. */
  modelStatic: number;
  /** Gradients on the GPU (0 when the optimizer runs in backward). */
  gradients: number;
  /** Gradients outlive the step (ZeRO/FSDP partitions, Megatron's buffer): resident at the activation peak. */
  gradientsPersistent: boolean;
  activations: number;
  logits: number;
  communication: number;
  /** Step temporaries of optimizer.step(). */
  stepTemporaries: number;
  /** With the optimizer in backward, its per-tensor dequantized states exist during backward. */
  inBackwardTransient: number;
}

/** The peak of a step: which phase sets it and the bytes of both. */
export interface Peak {
  phase: 'forward-backward' | 'optimizer-step';
  /** Allocated bytes at the start of backward (activations, logits, persistent gradients). */
  forwardBackward: number;
  /** Allocated bytes during optimizer.step() (gradients and step temporaries, activations freed). */
  optimizerStep: number;
  /** Gradient bytes resident at the peak. */
  gradientsAtPeak: number;
  /** The memory the caching allocator churns at the peak (what its slack is a fraction of). */
  dynamic: number;
}

/**
 * The per-GPU peak as the larger of two phases (Rajbhandari et al. 2020 §3: model states plus
 * residual states; the activation peak is reached at the start of backward, the step's at step()).
 */
export function peakOf(i: PeakInput): Peak {
  const forwardBackward =
    i.modelStatic + i.activations + i.logits + (i.gradientsPersistent ? i.gradients : 0) + i.inBackwardTransient;
  const optimizerStep = i.modelStatic + i.gradients + i.stepTemporaries;
  const phase = forwardBackward >= optimizerStep ? 'forward-backward' : 'optimizer-step';
  return {
    phase,
    forwardBackward,
    optimizerStep,
    gradientsAtPeak: phase === 'optimizer-step' || i.gradientsPersistent ? i.gradients : 0,
    dynamic:
      phase === 'forward-backward' ? i.activations + i.logits + i.communication : i.communication + i.stepTemporaries,
  };
}

/** The runtime overhead of a training peak: inference's model (overhead.ts), on the peak's dynamic memory. */
export function trainingOverhead(peak: Peak, options: OverheadOptions): BreakdownPart {
  return overheadBytes(peak.dynamic, options);
}

/** A low / expected / high band of the per-GPU total (reserved memory + CUDA context). */
export interface OverheadBand {
  low: number;
  expected: number;
  high: number;
}

/**
 * The band around a total. Low: torch.cuda.max_memory_allocated plus the CUDA context (no allocator
 * slack). High: one more copy of the largest transient the caching allocator may keep split and
 * unreused (PyTorch docs "CUDA memory management", fragmentation). No other constant enters.
 */
export function overheadBand(
  allocated: number,
  total: number,
  largestTransient: number,
  contextBytes: number = DEFAULT_OVERHEAD.contextBytes,
): OverheadBand {
  return { low: allocated + contextBytes, expected: total, high: total + Math.ceil(largestTransient) };
}
