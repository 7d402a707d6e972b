import { type EngineId, estimateServing, formatCount, GIB, type ServingOptions, solveGpuLayers } from '@vramkit/core';
import type { Command, CommandArgs, Io } from '../command.js';
import { UsageError } from '../errors.js';
import { parseArgsOptions } from '../flag-parse.js';
import { boolFlag, modelPositional, stringFlag } from '../flags.js';
import { chooseFormat, formatSetup } from '../format-setup.js';
import { resolveModel } from '../model-argument.js';
import { table } from '../render.js';
import { engineFlag, parseGpus, servingOptionsFrom } from '../serve/engine-flags.js';

/** The engines of `--engine a,b` (default llama.cpp and vLLM), each spelled as core names it. */
function enginesOf(values: CommandArgs['values']): EngineId[] {
  return (stringFlag(values, 'engine') ?? 'llama.cpp,vllm')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => engineFlag({ engine: e })!);
}

const DEFAULT_QUANT: Record<EngineId, string> = { 'llama.cpp': 'Q4_K_M', vllm: 'bf16', transformers: 'bf16' };

async function runCompare(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  const model = await resolveModel(modelPositional(args, 'compare'), args, io);
  const engines = enginesOf(v);
  const setup = await formatSetup(args, io);
  const gpus = parseGpus(v);
  if (gpus.length === 0)
    throw new UsageError('compare needs GPUs: repeat --gpu <id> (vramkit gpus) or --gpu-memory <size>', 'gpu');
  const prepared = model.model;
  const results = [];
  for (const gpu of gpus) {
    for (const engine of engines) {
      const { format } = chooseFormat(setup, prepared, stringFlag(v, 'quant'), DEFAULT_QUANT[engine]);
      let o: ServingOptions = { ...servingOptionsFrom(v, engine, prepared, format, [gpu]), model: prepared };
      if (engine === 'llama.cpp' && o.llamaCpp?.nGpuLayers === undefined)
        o = { ...o, llamaCpp: { ...o.llamaCpp, nGpuLayers: solveGpuLayers(o).value } };
      const e = estimateServing(o);
      results.push({
        gpu: gpu.id,
        gpuName: gpu.name,
        engine,
        format: format?.id ?? 'bf16',
        estimate: e,
        decodeTokensPerSecond: e.throughput?.decodeTokensPerSecond,
      });
    }
  }
  if (boolFlag(v, 'json')) {
    const out = results.map((r) => ({
      gpu: r.gpu,
      engine: r.engine,
      format: r.format,
      bytes: r.estimate.bytes,
      gpus: r.estimate.gpus,
      engineFigures: r.estimate.engine,
      fits: r.estimate.fits,
      binding: r.estimate.binding,
      decodeTokensPerSecond: r.decodeTokensPerSecond,
    }));
    io.out(
      `${JSON.stringify({ schema: 'vramkit/compare@1', model: { name: model.name, argument: model.argument }, results: out }, null, 2)}\n`,
    );
    return 0;
  }
  const g = (b: number) => (b / GIB).toFixed(2);
  const header = [
    'GPU',
    'engine',
    'quant',
    'weights',
    'KV',
    'compute',
    'total',
    'capacity',
    'fits',
    'max ctx',
    'max seqs',
    '-ngl',
    'decode tok/s',
  ];
  const rows = results.map((r) => {
    const e = r.estimate;
    return [
      r.gpuName,
      r.engine,
      r.format,
      g(e.bytes.weights),
      g(e.bytes.kvCache),
      g(e.bytes.activations),
      g(e.bytes.total),
      g(e.gpus[0]?.capacityBytes ?? 0),
      e.fits ? 'yes' : `NO (${e.binding})`,
      formatCount(e.engine.maxContext),
      String(e.engine.maxConcurrency),
      e.engine.gpuLayers !== undefined ? String(e.engine.gpuLayers) : '',
      r.decodeTokensPerSecond !== undefined ? r.decodeTokensPerSecond.toFixed(1) : '—',
    ];
  });
  const first = results[0]!.estimate;
  io.out(
    `${model.name} · context ${formatCount(first.context)} × batch ${first.batch}\n\n${table(
      [header, ...rows],
      header.map((_, i) => i >= 3 && i !== 8),
    )}\n\nGiB per GPU. max seqs: requests of the context that fit at once; decode: bandwidth-bound model (vramkit estimate --engine … for the breakdown).\n`,
  );
  return 0;
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'one model on several GPUs and engines, side by side',
  help: `Usage: vramkit compare <model> --gpu <id> --gpu <id> [--engine llama.cpp,vllm,transformers] [options]

The weight format: the file as stored (GGUF), else --quant, else the checkpoint's quantization_config,
else Q4_K_M for llama.cpp and bf16 for vLLM and transformers.
`,
  options: parseArgsOptions('compare'),
  maxPositionals: 1,
  flagContext: (values) => ({ mode: 'infer', engines: enginesOf(values) }),
  run: runCompare,
};
