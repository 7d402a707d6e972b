import { estimateTraining, type TrainingWorkload, type WeightFormat } from '@vramkit/core';
import type { CommandArgs, Io } from '../command.js';
import { boolFlag, stringFlag } from '../flags.js';
import type { NamedModel } from '../model-argument.js';
import { QLORA_BASE_FORMAT } from './qlora-format.js';
import { renderTraining, trainingJson } from './render-training.js';
import { readTrainerConfig } from './trainer-file.js';
import { gpuMemoryFrom, trainingWorkloadFrom } from './train-flags.js';

/**
 * The workload of a training command: `--from <trainer config>` (if given) overridden by flags.
 * @returns the workload, the model id the trainer config names (if any) and notes
 */
export async function trainingWorkloadForArgs(
  args: CommandArgs,
  io: Io,
): Promise<{ workload: TrainingWorkload; modelId?: string; notes: string[] }> {
  const from = stringFlag(args.values, 'from');
  if (!from) return { workload: trainingWorkloadFrom(args.values), notes: [] };
  const cfg = await readTrainerConfig(from, io.cwd);
  return {
    workload: trainingWorkloadFrom(args.values, cfg.workload),
    ...(cfg.modelId ? { modelId: cfg.modelId } : {}),
    notes: [`read ${cfg.framework} config ${cfg.file}`, ...cfg.notes],
  };
}

/**
 * `vramkit estimate <model> --mode train …`: the per-GPU training estimate, as a table or `--json`.
 * @param args parsed command line (estimate's options merged with `trainOptions`)
 * @param io output streams (and cwd for `--from`)
 * @param model the resolved model argument (its `model` is what is trained)
 * @param baseFormat storage of the frozen base (from `--quant`), e.g. a `@vramkit/quant` NF4 format
 * @returns exit code: 0, or 1 when `--gpu`/`--gpu-memory` is given and the total does not fit
 * @throws UsageError for bad flags; InvalidInputError from core naming the field
 */
export async function runTrainEstimate(
  args: CommandArgs,
  io: Io,
  model: NamedModel,
  baseFormat?: WeightFormat,
): Promise<number> {
  const { workload, notes } = await trainingWorkloadForArgs(args, io);
  const base = baseFormat ?? (workload.method === 'qlora' ? QLORA_BASE_FORMAT : undefined);
  const e = estimateTraining({ ...workload, model: model.model, ...(base ? { baseFormat: base } : {}) });
  const gpu = gpuMemoryFrom(args.values);
  if (boolFlag(args.values, 'json')) {
    io.out(`${JSON.stringify({ ...trainingJson(model.name, model.argument, e, gpu), notes }, null, 2)}\n`);
  } else {
    io.out(renderTraining(model.name, e, gpu, notes));
  }
  return gpu && e.total > gpu.bytes ? 1 : 0;
}
