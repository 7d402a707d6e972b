import { formatCount, GIB, type TrainingEstimate } from '@vramkit/core';
import { inCliTerms } from '../flag-paths.js';
import { renderBreakdown } from '../render.js';

const gib = (b: number) => `${(b / GIB).toFixed(2)} GiB`;

/** JSON of a training estimate (`--json`): per-GPU bytes, host bytes and exact parameter counts. */
export function trainingJson(
  name: string,
  argument: string,
  e: TrainingEstimate,
  gpu?: { bytes: number; label: string },
) {
  return {
    schema: 'vramkit/train@1',
    mode: 'train',
    model: { name, argument },
    parameters: e.parameters,
    workload: e.workload,
    sharding: e.sharding,
    effectiveBatch: e.effectiveBatch,
    bytes: {
      total: e.total,
      weights: e.parts.weights.bytes,
      adapters: e.parts.adapters.bytes,
      gradients: e.parts.gradients.bytes,
      optimizer: e.parts.optimizer.bytes,
      activations: e.parts.activations.bytes,
      logits: e.parts.logits.bytes,
      communication: e.parts.communication.bytes,
      overhead: e.parts.overhead.bytes,
    },
    peakAllocated: e.peakAllocated,
    peakPhase: e.peakPhase,
    phases: e.phases,
    overheadBand: e.overheadBand,
    hostBytes: { total: e.hostBytes.total, perNode: e.hostBytes.perNode, parts: e.hostBytes.parts },
    nvmeBytes: e.nvmeBytes,
    pageableBytes: e.pageableBytes,
    ...(gpu ? { gpu: { label: gpu.label, bytes: gpu.bytes, fits: e.total <= gpu.bytes } } : {}),
    breakdown: e.parts,
    assumptions: e.assumptions,
  };
}

/** A training estimate as text: header, per-GPU breakdown, band, host memory and notes. */
export function renderTraining(
  name: string,
  e: TrainingEstimate,
  gpu?: { bytes: number; label: string },
  notes: readonly string[] = [],
): string {
  const w = e.workload;
  const p = e.parameters;
  const method =
    w.method === 'full'
      ? 'full fine-tuning'
      : `${w.method} r=${w.lora.rank} on ${w.lora.targets === 'all-linear' || w.lora.targets === 'default' ? w.lora.targets : w.lora.targets.join(',')}`;
  const lines = [
    `${name}  ${formatCount(p.total)} parameters, ${formatCount(p.trainable)} trainable (${((100 * p.trainable) / p.all).toFixed(4)}% of ${formatCount(p.all)})`,
    `${method} · ${w.precision} · ${w.optimizer} · seq ${formatCount(w.seq)} × micro-batch ${w.microBatch}${w.gradAccum > 1 ? ` × ${w.gradAccum} accumulation` : ''} (effective batch ${e.effectiveBatch}) · checkpointing ${w.checkpointing} · ${w.attention} attention · ${e.sharding.scheme}`,
    '',
    `per GPU (peak in ${e.peakPhase}; allocated: forward-backward ${gib(e.phases.forwardBackward)}, optimizer step ${gib(e.phases.optimizerStep)}):`,
    renderBreakdown(e.parts, e.total, {}, 2),
    '',
    `band: low ${gib(e.overheadBand.low)} · expected ${gib(e.overheadBand.expected)} · high ${gib(e.overheadBand.high)} (allocated peak ${gib(e.peakAllocated)})`,
  ];
  if (e.hostBytes.total > 0 || e.nvmeBytes > 0) {
    lines.push(
      `CPU RAM: ${gib(e.hostBytes.total)} per GPU rank, ${gib(e.hostBytes.perNode)} per node${e.nvmeBytes ? ` · NVMe ${gib(e.nvmeBytes)} per rank` : ''}`,
    );
  }
  if (e.pageableBytes > 0)
    lines.push(`paged optimizer: ${gib(e.pageableBytes)} may be moved to CPU by the driver under memory pressure`);
  if (gpu)
    lines.push(
      e.total <= gpu.bytes
        ? `fits ${gpu.label} (${gib(gpu.bytes)}): ${gib(gpu.bytes - e.total)} free`
        : `does NOT fit ${gpu.label} (${gib(gpu.bytes)}): ${gib(e.total - gpu.bytes)} short`,
    );
  for (const a of [...e.assumptions, ...notes]) lines.push(`note: ${inCliTerms(a)}`);
  return `${lines.join('\n')}\n`;
}
