import { formatCount, GIB, planTraining, prepareModel } from '@vramkit/core';
import { QLORA_BASE_FORMAT } from '../train/qlora-format.js';
import { hubFlagHelp, hubFlagOptions } from '../hub-flags.js';
import type { Command, CommandArgs, Io } from '../command.js';
import { UsageError } from '../errors.js';
import { boolFlag, choiceFlag, intFlag, modelPositional } from '../flags.js';
import { resolveModel } from '../model-source.js';
import { table } from '../render.js';
import { gpuMemoryFrom, TRAIN_HELP, trainOptions } from '../train/train-flags.js';
import { trainingWorkloadForArgs } from '../train/run-train-estimate.js';

const planOptions = {
  ...hubFlagOptions,
  ...trainOptions,
  mode: { type: 'string' },
  'max-gpus': { type: 'string' },
  methods: { type: 'string' },
  margin: { type: 'string' },
  attention: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const gib = (b: number) => (b / GIB).toFixed(2);

async function runPlan(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  const mode = choiceFlag(v, 'mode', ['train'] as const) ?? 'train';
  const gpu = gpuMemoryFrom(v);
  if (!gpu) throw new UsageError('plan needs a GPU: --gpu <id> (e.g. h100-80gb) or --gpu-memory <size> (e.g. 80GiB)', 'gpu');
  const model = await resolveModel(modelPositional(args, 'plan'), args, io);
  const { workload, notes } = await trainingWorkloadForArgs(args, io);
  const methodsRaw = v.methods;
  const methods =
    typeof methodsRaw === 'string'
      ? methodsRaw.split(',').map((m) => {
          if (m !== 'full' && m !== 'lora' && m !== 'qlora' && m !== 'dora') throw new UsageError(`--methods takes full, lora, qlora, dora (got "${m}")`, 'methods');
          return m;
        })
      : workload.method
        ? [workload.method]
        : (['full', 'lora', 'qlora'] as const);
  const plan = planTraining({ ...workload, model: prepareModel(model.architecture) }, gpu.bytes, {
    methods,
    maxGpus: intFlag(v, 'max-gpus') ?? 64,
    margin: choiceFlag(v, 'margin', ['expected', 'high'] as const) ?? 'expected',
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
        bytes: { total: s.estimate.total, weights: s.estimate.parts.weights.bytes, adapters: s.estimate.parts.adapters.bytes, gradients: s.estimate.parts.gradients.bytes, optimizer: s.estimate.parts.optimizer.bytes, activations: s.estimate.parts.activations.bytes, logits: s.estimate.parts.logits.bytes, communication: s.estimate.parts.communication.bytes, overhead: s.estimate.parts.overhead.bytes },
        hostBytes: s.estimate.hostBytes.total,
        overheadBand: s.estimate.overheadBand,
        workload: s.estimate.workload,
      })),
      notes,
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const rows = [['#', 'setup', 'GPUs', 'per GPU GiB', 'band GiB', 'use', 'weights', 'grads', 'optim', 'acts+logits', 'CPU RAM GiB/rank']];
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
    'Run vramkit estimate <model> --mode train with a row\'s flags for its full breakdown.',
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

Options:
      --gpu <id>              GPU from the catalogue (e.g. h100-80gb), or
      --gpu-memory <size>     memory of one GPU (80GiB, 24GB)
      --methods <list>        methods to consider (default: --method, else full,lora,qlora)
      --max-gpus <n>          largest GPU count to try (default 64)
      --margin expected|high  fit the expected total (default) or the high end of the band
      --json                  machine-readable output
${TRAIN_HELP}
${hubFlagHelp}`,
  options: planOptions,
  run: (args, io) => runPlan(args, io),
};
