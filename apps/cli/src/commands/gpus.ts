import { GIB, GPUS, type GpuSpec, gpuCapacityBytes, lookupGpu, VramkitError } from '@vramkit/core';
import type { Command, CommandArgs, Io } from '../command.js';
import { parseArgsOptions, readFlag } from '../flag-parse.js';
import { boolFlag } from '../flags.js';
import { table } from '../render.js';

/**
 * The GPUs whose id or name holds `query` (case and separators ignored). None: core's lookup error,
 * which suggests the closest ids.
 * @throws NoSuchGpuError
 */
function matching(query: string, list: readonly GpuSpec[]): readonly GpuSpec[] {
  const key = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  const q = key(query);
  const hits = list.filter((g) => key(g.id).includes(q) || key(g.name).includes(q));
  if (hits.length > 0) return hits;
  try {
    lookupGpu(query);
  } catch (e) {
    // The same error and suggestions, on the argument rather than on --gpu.
    if (VramkitError.isInstance(e)) throw new VramkitError(e.code, e.message, { path: 'filter', cause: e });
    throw e;
  }
  return [];
}

function runGpus(args: CommandArgs, io: Io): number {
  const v = args.values;
  const segment = readFlag(v, 'segment') as string | undefined;
  const [query] = args.positionals;
  const inSegment: readonly GpuSpec[] = GPUS.filter((g) => !segment || g.segment === segment);
  const list = query === undefined ? inSegment : matching(query, inSegment);
  if (boolFlag(v, 'json')) {
    io.out(
      `${JSON.stringify({ schema: 'vramkit/gpus@1', gpus: list.map((g) => ({ ...g, capacityBytes: gpuCapacityBytes(g) })) }, null, 2)}\n`,
    );
    return 0;
  }
  const sources = boolFlag(v, 'sources');
  const header = [
    'id',
    'name',
    'memory GiB',
    'usable GiB',
    'GB/s',
    'fp16',
    'bf16',
    'fp8',
    'int8',
    ...(sources ? ['source'] : []),
  ];
  const t = (x: number | undefined) => (x === undefined ? '—' : String(x));
  const rows = list.map((g) => [
    g.id,
    g.name,
    (g.memoryBytes / GIB).toFixed(1),
    (gpuCapacityBytes(g) / GIB).toFixed(2),
    String(g.bandwidthGBps),
    t(g.tflops.fp16),
    t(g.tflops.bf16),
    t(g.tflops.fp8),
    t(g.tflops.int8),
    ...(sources ? [g.source] : []),
  ]);
  io.out(
    `${table(
      [header, ...rows],
      header.map((_, i) => i >= 2 && i <= 8),
    )}\n\nTFLOPs dense (no sparsity); usable = CUDA-reported total where known, Metal's working-set share on Apple. --sources names each figure's source.\n`,
  );
  return 0;
}

export const gpusCommand: Command = {
  name: 'gpus',
  summary: 'the GPU catalogue: memory, bandwidth, TFLOPs, with sources',
  help: `Usage: vramkit gpus [<filter>] [--segment consumer|laptop|workstation|datacenter|apple] [--sources] [--json]

<filter> keeps the GPUs whose id or name holds it (vramkit gpus 4090); none matching is an error with
the closest ids.

Use an id with --gpu (vramkit fit <model> --gpu rtx-4090), or give an exact capacity with --gpu-memory 23.58GiB.
`,
  options: parseArgsOptions('gpus'),
  maxPositionals: 1,
  run: runGpus,
};
