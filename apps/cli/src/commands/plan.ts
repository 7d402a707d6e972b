import { formatCount, GIB, planTraining } from '@vramkit/core';
import type { Command, CommandArgs, Io } from '../command.js';
import { UsageError } from '../errors.js';
import { checkOneGpu, parseArgsOptions, readFlag } from '../flag-parse.js';
import { boolFlag, modelPositional, stringFlag } from '../flags.js';
import { chooseFormat, formatSetup } from '../format-setup.js';
import { resolveModel } from '../model-argument.js';
import { table } from '../render.js';
import { QLORA_BASE_FORMAT } from '../train/qlora-format.js';
import { trainingWorkloadForArgs } from '../train/run-train-estimate.js';
import { gpuMemoryFrom } from '../train/train-flags.js';

const gib = (b: number) => (b / GIB).toFixed(2);

async function runPlan(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  const mode = readFlag(v, 'mode') ?? 'train';
  if (mode !== 'train')
    throw new UsageError(
      `plan plans training only (--mode train); for inference use vramkit fit (got --mode ${mode})`,
      'mode',
    );
  checkOneGpu(v);
  const gpu = gpuMemoryFrom(v);
  if (!gpu)
    throw new UsageError('plan needs a GPU: --gpu <id> (e.g. h100-80gb) or --gpu-memory <size> (e.g. 80GiB)', 'gpu');
  const model = await resolveModel(modelPositional(args, 'plan'), args, io);
  const { workload, notes } = await trainingWorkloadForArgs(args, io);
  // Training takes its frozen base from an explicit --quant only: a trainer loads a quantized checkpoint per its method.
  const quant = stringFlag(v, 'quant');
  const baseFormat = quant ? chooseFormat(await formatSetup(args, io), model.model, quant).format : undefined;
  const methods =
    (readFlag(v, 'methods') as ('full' | 'lora' | 'qlora' | 'dora')[] | undefined) ??
    (workload.method ? [workload.method] : undefined);
  const maxGpus = readFlag(v, 'max-gpus') as number | undefined;
  const margin = readFlag(v, 'margin') as 'expected' | 'high' | undefined;
  // Unset options are left to planTraining, which applies and documents its defaults.
  const plan = planTraining({ ...workload, model: model.model, ...(baseFormat ? { baseFormat } : {}) }, gpu.bytes, {
    ...(methods ? { methods } : {}),
    ...(maxGpus !== undefined ? { maxGpus } : {}),
    ...(margin ? { margin } : {}),
    // QLoRA setups take @vramkit/quant's NF4 (core has no bitsandbytes format of its own).
    qloraFormat: QLORA_BASE_FORMAT,
  });
  if (boolFlag(v, 'json')) {
    const out = {
      schema: 'vramkit/plan@1',
      mode,
      model: { name: model.name, argument: model.argument },
      gpu,
      setups: plan.map((s) => ({
        label: s.label,
        gpus: s.gpus,
        utilization: s.utilization,
        parameters: s.estimate.parameters,
        bytes: {
          total: s.estimate.total,
          weights: s.estimate.parts.weights.bytes,
          adapters: s.estimate.parts.adapters.bytes,
          gradients: s.estimate.parts.gradients.bytes,
          optimizer: s.estimate.parts.optimizer.bytes,
          activations: s.estimate.parts.activations.bytes,
          logits: s.estimate.parts.logits.bytes,
          communication: s.estimate.parts.communication.bytes,
          overhead: s.estimate.parts.overhead.bytes,
        },
        hostBytes: s.estimate.hostBytes.total,
        overheadBand: s.estimate.overheadBand,
        workload: s.estimate.workload,
      })),
      notes,
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const rows = [
    [
      '#',
      'setup',
      'GPUs',
      'per GPU GiB',
      'band GiB',
      'use',
      'weights',
      'grads',
      'optim',
      'acts+logits',
      'CPU RAM GiB/rank',
    ],
  ];
  plan.forEach((s, i) => {
    const e = s.estimate;
    rows.push([
      String(i + 1),
      s.label,
      String(s.gpus),
      gib(e.total),
      `${gib(e.overheadBand.low)}–${gib(e.overheadBand.high)}`,
      `${Math.round(s.utilization * 100)}%`,
      gib(e.parts.weights.bytes + e.parts.adapters.bytes),
      gib(e.parts.gradients.bytes),
      gib(e.parts.optimizer.bytes),
      gib(e.parts.activations.bytes + e.parts.logits.bytes),
      gib(e.hostBytes.total),
    ]);
  });
  const w = plan[0]!.estimate.workload;
  const lines = [
    `${model.name} (${formatCount(plan[0]!.estimate.parameters.total)} parameters) on ${gpu.label} (${gib(gpu.bytes)} GiB): setups that fit, fewest GPUs first`,
    `seq ${formatCount(w.seq)} × micro-batch ${w.microBatch} · ${w.precision} · ${w.optimizer}`,
    '',
    table(rows, [true, false, true, true, false, true, true, true, true, true, true]),
    ...notes.map((n) => `note: ${n}`),
    "Run vramkit estimate <model> --mode train with a row's flags for its full breakdown.",
  ];
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'smallest setups that fit a GPU (training: method × ZeRO/FSDP × checkpointing × offload)',
  help: `Usage: vramkit plan <model> --mode train --gpu <id> [options]

Ranks setups that fit, each with its per-GPU breakdown: full / LoRA / QLoRA × single GPU, ZeRO-2,
ZeRO-3, ZeRO-3 + checkpointing, ZeRO-3 + optimizer offload; fewest GPUs first.

--quant names the frozen base's format (QLoRA: bnb-nf4 by default).
`,
  options: parseArgsOptions('plan'),
  maxPositionals: 1,
  flagContext: () => ({ mode: 'train', engines: ['none'] }),
  run: (args, io) => runPlan(args, io),
};
