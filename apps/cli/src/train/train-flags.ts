import { gpuCapacityBytes, lookupGpu, type TrainingWorkload } from '@vramkit/core';
import type { CommandArgs } from '../command.js';
import { UsageError } from '../errors.js';
import { collect, mergeOptions, readFlag } from '../flag-parse.js';

type Values = CommandArgs['values'];

function first(values: Values, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * The GPU memory the user named with `--gpu <id>` (GPU catalogue) or `--gpu-memory <size>`.
 * @returns bytes and a label, or undefined when neither flag is given
 * @throws UsageError / NoSuchGpuError
 */
export function gpuMemoryFrom(values: Values): { bytes: number; label: string } | undefined {
  const mem = first(values, 'gpu-memory');
  if (mem !== undefined) return { bytes: (readFlag(values, 'gpu-memory') as number[])[0]!, label: mem };
  const id = first(values, 'gpu');
  if (id === undefined) return undefined;
  const gpu = lookupGpu(id);
  return { bytes: gpuCapacityBytes(gpu), label: gpu.id };
}

/**
 * The training workload from flags, on top of one read from a trainer config (`--from`): flags win.
 * Only flags that were given are set; core applies and echoes the defaults.
 * @throws UsageError naming the flag
 */
export function trainingWorkloadFrom(rawValues: Values, base: TrainingWorkload = {}): TrainingWorkload {
  const values = everyK(rawValues);
  const flags = collect(values, 'training') as TrainingWorkload & { lora?: { targets?: string[] | string } };
  // `--targets all-linear` and `--targets default` are words, not module lists.
  const targets = flags.lora?.targets;
  if (Array.isArray(targets) && targets.length === 1 && (targets[0] === 'all-linear' || targets[0] === 'default'))
    flags.lora!.targets = targets[0];
  // `--targets none`: no module targets, peft's target_modules=None beside --lora-target-parameters.
  if (Array.isArray(targets) && targets.length === 1 && targets[0] === 'none') flags.lora!.targets = [];
  const flash = readFlag(values, 'flash-attn');
  if (flash === 'auto') throw new UsageError('--flash-attn must be on or off in training (got "auto")', 'flash-attn');
  if (flash !== undefined) flags.attention = flash === 'on' ? 'flash' : 'naive';
  const merged = mergeOptions(base as Record<string, unknown>, flags as Record<string, unknown>) as TrainingWorkload;
  return { ...merged, lora: { ...merged.lora }, parallel: { ...merged.parallel } };
}

/** `--checkpointing every:<k>`: full checkpointing of every k-th layer (with `--checkpoint-every` k). */
function everyK(values: Values): Values {
  const raw = values.checkpointing;
  const m = typeof raw === 'string' ? /^every:(\d+)$/.exec(raw) : null;
  if (!m) return values;
  const k = Number(m[1]);
  if (k < 1) throw new UsageError(`--checkpointing every:<k> needs k ≥ 1 (got "${raw}")`, 'checkpointing');
  if (values['checkpoint-every'] !== undefined)
    throw new UsageError('give either --checkpointing every:<k> or --checkpoint-every, not both', 'checkpoint-every');
  return { ...values, checkpointing: 'full', 'checkpoint-every': String(k) };
}
