import { type BreakdownPart, part } from '../memory/breakdown.js';
import type { TrainingActivations } from './activations.js';
import type { ModelStates, TrainableSetup } from './model-states.js';
import type { StatePlacement } from './offload.js';
import type { Peak } from './peak.js';
import { PRECISIONS } from './precision.js';
import type { StepTemporaries } from './step-temporaries.js';
import type { ResolvedTrainingWorkload } from './workload.js';

/** The eight parts of a training estimate, by JSON field name. */
export type TrainingParts = {
  weights: BreakdownPart;
  adapters: BreakdownPart;
  gradients: BreakdownPart;
  optimizer: BreakdownPart;
  activations: BreakdownPart;
  logits: BreakdownPart;
  communication: BreakdownPart;
  overhead: BreakdownPart;
};

/** Everything the parts are made of (each from its phase). */
export interface PartsInput {
  w: ResolvedTrainingWorkload;
  setup: TrainableSetup;
  states: ModelStates;
  placement: StatePlacement;
  step: StepTemporaries;
  acts: TrainingActivations;
  communication: BreakdownPart;
  peak: Peak;
  overhead: BreakdownPart;
  share: number;
}

const n = (x: number) => x.toLocaleString('en-US');
const over = (d: number) => (d > 1 ? ` / ${d}` : '');

function weightsPart({ w, setup, states, placement, share }: PartsInput): BreakdownPart {
  const prec = PRECISIONS[w.precision];
  const st = setup.stateBytes;
  const g = placement.gpu;
  const { weights: wDiv, optimizer: oDiv } = states.divisors;
  if (setup.peft)
    return part(g.frozen, `frozen base in ${setup.frozenType}${over(wDiv)}`, {
      accuracy: 'exact',
      source: prec.source,
      parts: {
        base: part(
          g.frozen,
          `${n(setup.frozenBytes)} B in ${setup.frozenType} × model-parallel share ${share.toFixed(4)}${over(wDiv)}`,
        ),
      },
    });
  return part(
    g.frozen + g.trainWeights + g.master + states.copies,
    `${st.weightBytes} B weights + ${st.masterBytes} B master${prec.computeCopyBytes ? ` + ${prec.computeCopyBytes} B compute copies` : ''} per trainable param (${w.precision})`,
    {
      accuracy: 'exact',
      source: prec.source,
      parts: {
        weights: part(
          g.trainWeights,
          `${n(Math.round(states.trainableParams))} params × ${st.weightBytes} B${over(wDiv)}`,
        ),
        master: part(
          g.master,
          `fp32 master: ${st.masterBytes} B per param${over(oDiv)}${placement.optimizerOffloaded ? ' (offloaded)' : ''}`,
        ),
        ...(states.copies
          ? {
              computeCopies: part(states.copies, `${prec.computeCopyBytes} B per param (autocast cache / fp8 copies)`),
            }
          : {}),
      },
    },
  );
}

function adaptersPart({ setup, states, placement, share }: PartsInput): BreakdownPart {
  const plan = setup.plan;
  const st = setup.stateBytes;
  const perParam = (params: number) => (params * share * (st.weightBytes + st.masterBytes)) / states.divisors.weights;
  return part(
    setup.peft ? placement.gpu.trainWeights + placement.gpu.master : 0,
    setup.peft && plan
      ? `${n(plan.trainable)} adapter params × (${st.weightBytes} B + ${st.masterBytes} B master)`
      : 'no adapters (full fine-tuning)',
    {
      accuracy: 'exact',
      ...(plan
        ? {
            parts: {
              lora: part(perParam(plan.loraParams), `A and B: Σ r × (in + out) = ${n(plan.loraParams)} params`),
              ...(plan.magnitudeParams
                ? {
                    doraMagnitude: part(perParam(plan.magnitudeParams), `DoRA magnitudes: ${n(plan.magnitudeParams)}`),
                  }
                : {}),
              ...(plan.modulesToSaveParams
                ? {
                    modulesToSave: part(
                      perParam(plan.modulesToSaveParams),
                      `modules_to_save copies: ${n(plan.modulesToSaveParams)}`,
                    ),
                  }
                : {}),
            },
          }
        : {}),
    },
  );
}

function gradientsPart({ w, setup, states, placement, peak }: PartsInput): BreakdownPart {
  const onGpu = placement.gpu.gradients;
  const atPeak = peak.gradientsAtPeak;
  const why =
    atPeak === 0 && onGpu > 0
      ? w.optimizerInBackward
        ? '; optimizer in backward frees each gradient at once'
        : '; freed by zero_grad(set_to_none=True), not resident at the activation peak'
      : '';
  return part(
    atPeak,
    `${setup.stateBytes.gradBytes} B per trainable param${over(states.divisors.gradients)} = ${n(Math.ceil(onGpu))} B${why}${placement.optimizerOffloaded ? '; offloaded to host' : ''}`,
    { accuracy: 'exact' },
  );
}

function optimizerPart({ w, states, placement, step, peak }: PartsInput): BreakdownPart {
  const onGpu = placement.gpu.optimizer;
  const opt = states.optimizerStates;
  const stepAtPeak = peak.phase === 'optimizer-step' ? step.total : w.optimizerInBackward ? step.dequantized : 0;
  return part(
    onGpu + stepAtPeak,
    `${opt.note}${over(states.divisors.optimizer)}${placement.optimizerOffloaded ? ' (offloaded)' : ''}`,
    {
      accuracy: 'exact',
      ...(opt.source ? { source: opt.source } : {}),
      parts: {
        states: part(onGpu, 'optimizer states on this GPU'),
        ...(stepAtPeak
          ? { stepTemporaries: part(stepAtPeak, 'temporaries of step(): foreach lists or fp32 dequantized states') }
          : {}),
      },
    },
  );
}

/** The breakdown parts at the peak: what the step's peak phase holds, each with its note and source. */
export function trainingParts(i: PartsInput): TrainingParts {
  const atActivationPeak = i.peak.phase === 'forward-backward';
  return {
    weights: weightsPart(i),
    adapters: adaptersPart(i),
    gradients: gradientsPart(i),
    optimizer: optimizerPart(i),
    activations: atActivationPeak
      ? i.acts.activations
      : part(
          0,
          `activations freed before the optimizer step (forward/backward peak would be ${n(i.acts.activations.bytes)} B)`,
        ),
    logits: atActivationPeak ? i.acts.logits : part(0, 'logits freed before the optimizer step'),
    communication: i.communication,
    overhead: i.overhead,
  };
}
