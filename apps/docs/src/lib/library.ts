/**
 * Every call the site makes into vramkit, in one module so that each can be repointed when the
 * library grows (format choice → `@vramkit/quant`'s chooser, launch lines → core's serving profiles).
 * Nothing here decides a number: it maps the form's text onto library options and returns the
 * library's results and errors.
 */
import {
  customGpu,
  type EngineId,
  estimateInference,
  estimateServing,
  estimateTraining,
  GPUS,
  type GpuSpec,
  gpuCapacityBytes,
  InvalidInputError,
  KV_DTYPES,
  defaultLaunchTarget,
  launchCommand,
  lookupGpu,
  maxSequenceLength,
  type PreparedModel,
  parseBytes,
  prepareModel,
  shellWord,
  type ServingOptions,
  solveGpuLayers,
  solveMaxContext,
  VramkitError,
  type WeightFormat,
} from '@vramkit/core';
import { listCatalogue, loadModel, type ModelSpec } from '@vramkit/models';
import { chooseWeightFormat, createFormatSetup, isFormatFamily, llamaFileTypeFormats } from '@vramkit/quant';
import type { CalculatorState } from './state.js';

/** The form fields an error can belong to. */
export type Field =
  | 'model'
  | 'quant'
  | 'context'
  | 'batch'
  | 'kv'
  | 'gpus'
  | 'memory'
  | 'engine'
  | 'optimizer'
  | 'general';

/** An error to show next to a field: the library's code and message, as text. */
export interface FieldError {
  field: Field;
  code: string;
  message: string;
}

/** The formats the calculator knows: `@vramkit/quant`'s setup of core's plain dtypes and its built-ins (no plugins). */
const setup = createFormatSetup();
/** The registry the calculator resolves format ids with. */
export const registry = setup.registry;

/** Models of the embedded catalogue, for the picker. */
export function catalogueIds(): string[] {
  return listCatalogue().map((e) => e.id);
}

/** GPU catalogue entries, for the picker. */
export function gpuChoices(): { id: string; label: string }[] {
  return GPUS.map((g) => ({ id: g.id, label: `${g.name} (${Math.round(g.memoryBytes / 1024 ** 3)} GiB)` }));
}

/** KV cache dtypes core knows. */
export const kvDtypes: readonly string[] = KV_DTYPES.map((d) => d.id);

/** Ids the format field suggests: every concrete format of the registry, families at their example. */
export function formatIds(): string[] {
  return registry.entries().map((e) => (isFormatFamily(e) ? `${e.id}@${e.example}` : e.id));
}

/** Where to fetch models from; stored in the browser, not in the shared link. */
export interface HubSettings {
  endpoint?: string;
  offline?: boolean;
}

/**
 * Loads a model through `@vramkit/models`: from the Hub (config.json and safetensors totals, with
 * CORS), or from the embedded catalogue offline or when the Hub cannot be reached.
 * @throws the library's VramkitError (NO_SUCH_MODEL, HUB_*, OFFLINE, CONFIG_VALIDATION, …)
 */
export async function loadSpec(id: string, hub: HubSettings = {}, signal?: AbortSignal): Promise<ModelSpec> {
  return loadModel(id, {
    ...(hub.endpoint ? { endpoint: hub.endpoint } : {}),
    ...(hub.offline ? { offline: true } : {}),
    ...(signal ? { signal } : {}),
    env: {},
    retries: 1,
    timeoutMs: 15_000,
  });
}

/** The spec prepared once for every estimate of the page (keeping a header-read inventory). */
export function prepare(spec: ModelSpec): PreparedModel {
  return spec.inventorySource === 'synthesized'
    ? prepareModel(spec.architecture)
    : prepareModel(spec.architecture, { tensors: spec.tensors, inventorySource: spec.inventorySource });
}

/**
 * The weight format for the `quant` field, chosen by `@vramkit/quant`'s `chooseWeightFormat` (the
 * CLI's chooser): `auto` leaves it to the model (a GGUF as stored, else the checkpoint's
 * `quantization_config`, else the estimator's bf16); anything else is a request, and an unknown id
 * throws NoSuchFormatError.
 */
export function chooseFormat(quant: string, spec: ModelSpec): { format?: WeightFormat; note?: string } {
  const request = quant.trim().toLowerCase() === 'auto' ? undefined : quant;
  const qc = spec.quantization?.config;
  const choice = chooseWeightFormat(setup, {
    model: {
      architecture: spec.architecture,
      inventorySource: spec.inventorySource,
      ...(qc ? { quantizationConfig: qc } : {}),
      name: spec.id,
    },
    ...(request !== undefined ? { request } : {}),
  });
  return { ...(choice.format ? { format: choice.format } : {}), ...(choice.note ? { note: choice.note } : {}) };
}

/** Whole numbers become numbers; any other text goes to the library as is, so it reports the problem. */
function count(text: string): number {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : (t as unknown as number);
}

/**
 * The GPUs of the form: a custom capacity per card when `memory` is set (as many cards as `gpus`
 * names, at least one), else the catalogue ids of `gpus`.
 * @throws NoSuchGpuError for an unknown id; InvalidInputError for a capacity that is not a size
 */
export function resolveGpus(state: Pick<CalculatorState, 'gpus' | 'memory'>): GpuSpec[] {
  const ids = state.gpus
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (state.memory.trim()) {
    const bytes = parseBytes(state.memory.trim());
    if (bytes === undefined || bytes <= 0) {
      throw new InvalidInputError([
        {
          path: 'memory',
          message: 'not a size: write it with its unit, e.g. 24GiB or 80GB ("G" alone is ambiguous)',
          received: state.memory,
        },
      ]);
    }
    return Array.from({ length: Math.max(1, ids.length) }, () => customGpu(bytes));
  }
  return ids.map((id) => lookupGpu(id));
}

/** One part of the breakdown, for the stacked bar. */
export interface PartBytes {
  part: string;
  bytes: number;
  note?: string;
}

/** What the calculator shows for one state. */
export interface CalculatorResult {
  /** Bytes on the most loaded GPU (or the formula total). */
  total: number;
  parts: PartBytes[];
  /** Capacity of that GPU (0 without a GPU). */
  capacityBytes: number;
  fits?: boolean;
  binding?: string;
  /** Longest context that fits (tokens; training: sequence length), with what binds one more. */
  maxContext?: { tokens: number; binding: string };
  /** llama.cpp: the most layers that fit on the GPUs. */
  maxGpuLayers?: number;
  decodeTokensPerSecond?: number;
  formatId: string;
  /** Parameters of the model; `trainable` in training mode. */
  parameters: { total: number; active: number; trainable?: number };
  notes: string[];
}

/** The library's error as a field error. */
export function toFieldError(e: unknown): FieldError {
  if (!VramkitError.isInstance(e))
    return { field: 'general', code: 'UNEXPECTED', message: e instanceof Error ? e.message : String(e) };
  const path = (e.path ?? '').toLowerCase();
  const code = e.code;
  let field: Field = 'general';
  if (code === 'NO_SUCH_FORMAT' || path.includes('format') || path.includes('quant')) field = 'quant';
  else if (code === 'NO_SUCH_GPU' || path.includes('gpu')) field = 'gpus';
  else if (path.includes('memory') || path.includes('capacity')) field = 'memory';
  else if (path.includes('kv') || path.includes('cachetype') || path.includes('dtype')) field = 'kv';
  else if (path.includes('context') || path.includes('seq') || path.includes('ctx') || path.includes('maxmodellen'))
    field = 'context';
  else if (path.includes('batch') || path.includes('parallel') || path.includes('microbatch')) field = 'batch';
  else if (path.includes('optimizer')) field = 'optimizer';
  else if (
    path === 'model' ||
    code === 'NO_SUCH_MODEL' ||
    code.startsWith('HUB_') ||
    code === 'OFFLINE' ||
    code === 'CONFIG_VALIDATION' ||
    code === 'PARSE_ERROR' ||
    code === 'UNSUPPORTED_ARCHITECTURE'
  )
    field = 'model';
  return { field, code, message: e.message };
}

function partsOf(parts: Record<string, { bytes: number; note?: string }>): PartBytes[] {
  return Object.entries(parts).map(([part, p]) => ({ part, bytes: p.bytes, ...(p.note ? { note: p.note } : {}) }));
}

/** The serving question for an engine, in core's terms. */
export function servingOptions(
  model: PreparedModel,
  engine: EngineId,
  format: WeightFormat | undefined,
  gpus: GpuSpec[],
  context: number,
  batch: number,
  kv: string,
): ServingOptions {
  const base = { engine, model, gpus, context, batch, ...(format ? { format } : {}) };
  if (engine === 'llama.cpp') return { ...base, llamaCpp: { cacheTypeK: kv, cacheTypeV: kv } };
  if (engine === 'vllm') return { ...base, vllm: { kvCacheDtype: kv === 'f16' || kv === 'bf16' ? 'auto' : kv } };
  return { ...base, transformers: { kvDtype: kv as never } };
}

/**
 * One estimate: the library's inference, serving or training estimate for the state, with the
 * longest context that fits from the library's solvers.
 * @throws the library's VramkitError for any bad input
 */
export function calculate(
  model: PreparedModel,
  spec: ModelSpec,
  state: CalculatorState,
  options: { solve?: boolean } = {},
): CalculatorResult {
  const solve = options.solve ?? true;
  const gpus = resolveGpus(state);
  const { format, note } =
    state.mode === 'training' && state.quant.trim().toLowerCase() === 'auto'
      ? { format: undefined, note: undefined }
      : chooseFormat(state.quant, spec);
  const context = count(state.context);
  const batch = count(state.batch);
  const notes = [...(note ? [note] : []), ...spec.warnings];
  if (state.mode === 'training') {
    const o = {
      model,
      method: state.method,
      optimizer: state.optimizer as never,
      seq: context,
      microBatch: batch,
      ...(format && state.method !== 'full' ? { baseFormat: format } : {}),
      parallel: { gpus: Math.max(1, gpus.length) },
    };
    const e = estimateTraining(o);
    const capacityBytes = gpus[0] ? gpuCapacityBytes(gpus[0]) : 0;
    const r: CalculatorResult = {
      total: e.total,
      parts: partsOf(e.parts),
      capacityBytes,
      formatId: format?.id ?? 'precision default',
      parameters: { total: model.parameters.total, active: model.parameters.active, trainable: e.parameters.trainable },
      notes: [...notes, ...e.assumptions],
    };
    if (capacityBytes > 0) {
      r.fits = e.total <= capacityBytes;
      if (solve) {
        const m = maxSequenceLength(o, capacityBytes);
        r.maxContext = { tokens: m.value, binding: m.value > 0 ? 'gpu-memory' : 'nothing fits' };
      }
    }
    return r;
  }
  if (state.engine === 'formula') {
    const e = estimateInference({ model, ...(format ? { format } : {}), context, batch, kvDtype: state.kv as never });
    const capacityBytes = gpus.reduce((s, g) => s + gpuCapacityBytes(g), 0);
    return {
      total: e.total,
      parts: partsOf(e.parts),
      capacityBytes,
      ...(capacityBytes > 0 ? { fits: e.total <= capacityBytes } : {}),
      formatId: e.format,
      parameters: { total: e.parameters.total, active: e.parameters.active },
      notes: [...notes, ...e.assumptions],
    };
  }
  const o = servingOptions(model, state.engine, format, gpus, context, batch, state.kv);
  const e = estimateServing(o);
  const at = Math.max(
    0,
    e.gpus.findIndex((g) => g.bytes.total === e.bytes.total),
  );
  const engineParts = ('devices' in e.breakdown ? e.breakdown.devices[at]?.parts : e.breakdown.parts) ?? {};
  const withNote = (part: keyof typeof e.bytes) => {
    const note = (engineParts as Record<string, { note?: string }>)[part]?.note;
    return { part, bytes: e.bytes[part], ...(note ? { note } : {}) };
  };
  const r: CalculatorResult = {
    total: e.bytes.total,
    parts: [withNote('weights'), withNote('kvCache'), withNote('activations'), withNote('overhead')],
    capacityBytes: Math.max(0, ...e.gpus.map((g) => g.capacityBytes)),
    fits: e.fits,
    binding: e.binding,
    formatId: format?.id ?? 'bf16',
    parameters: { total: model.parameters.total, active: model.parameters.active },
    notes: [...notes, ...e.assumptions],
  };
  const mostLoaded = e.gpus.find((g) => g.bytes.total === e.bytes.total);
  if (mostLoaded) r.capacityBytes = mostLoaded.capacityBytes;
  if (e.throughput) r.decodeTokensPerSecond = e.throughput.decodeTokensPerSecond;
  if (solve && gpus.length > 0) {
    const m = solveMaxContext(o, { batch });
    r.maxContext = { tokens: m.value, binding: m.binding };
    if (state.engine === 'llama.cpp') r.maxGpuLayers = solveGpuLayers(o).value;
  }
  return r;
}

/** One point of the memory-vs-context chart. */
export interface CurvePoint {
  tokens: number;
  bytes: number;
}

/**
 * Memory at a spread of contexts (powers of two from 256 to the model's limit, plus the chosen
 * context), each the same library estimate as the headline number.
 */
export function contextCurve(
  model: PreparedModel,
  spec: ModelSpec,
  state: CalculatorState,
  upTo?: number,
): CurvePoint[] {
  const limit = Math.min(model.arch.maxPositionEmbeddings ?? 131_072, 1 << 20);
  const top = Math.max(limit, upTo ?? 0, 512);
  const points = new Set<number>();
  for (let t = 256; t < top; t *= 2) points.add(t);
  points.add(top);
  const chosen = count(state.context);
  if (Number.isInteger(chosen) && chosen > 0) points.add(chosen);
  if (upTo && upTo > 0) points.add(upTo);
  const out: CurvePoint[] = [];
  for (const tokens of [...points].sort((a, b) => a - b)) {
    try {
      out.push({
        tokens,
        bytes: calculate(model, spec, { ...state, context: String(tokens) }, { solve: false }).total,
      });
    } catch (e) {
      if (!VramkitError.isInstance(e)) throw e;
    }
  }
  return out;
}

/** One row of the "which quants fit" table. */
export interface QuantRow {
  format: string;
  weightBytes: number;
  totalBytes?: number;
  fits?: boolean;
  maxContext?: number;
  decodeTokensPerSecond?: number;
  error?: string;
}

/** The formats the table tries: llama.cpp's file types for llama.cpp; the registry's GPU formats otherwise. */
export function candidateFormats(engine: CalculatorState['engine']): WeightFormat[] {
  // The unquantized file types by their registry ids (ggml:F16), the name --quant gives them.
  if (engine === 'llama.cpp')
    return Object.entries(llamaFileTypeFormats).map(([id, f]) =>
      registry.has(`ggml:${id}`) && /^(F16|BF16|F32)$/.test(id) ? registry.get(`ggml:${id}`) : f,
    );
  return registry.entries().flatMap((e) => {
    if (e.id === 'gguf' || e.id.startsWith('ggml:') || e.id in llamaFileTypeFormats) return [];
    return [isFormatFamily(e) ? e.create(e.example) : e];
  });
}

/**
 * Every candidate format at the state's context, batch and GPUs: weight bytes, total, whether it fits,
 * the longest context and the decode speed — each from the same library call as the headline.
 */
export function quantTable(model: PreparedModel, spec: ModelSpec, state: CalculatorState): QuantRow[] {
  const rows: QuantRow[] = [];
  for (const f of candidateFormats(state.engine)) {
    const row: QuantRow = { format: f.id, weightBytes: 0 };
    try {
      row.weightBytes = model.weightsIn(f).total;
      const r = calculate(
        model,
        spec,
        { ...state, quant: f.id },
        { solve: state.mode === 'inference' && state.engine !== 'formula' },
      );
      row.totalBytes = r.total;
      if (r.fits !== undefined) row.fits = r.fits;
      if (r.maxContext) row.maxContext = r.maxContext.tokens;
      if (r.decodeTokensPerSecond !== undefined) row.decodeTokensPerSecond = r.decodeTokensPerSecond;
    } catch (e) {
      if (!VramkitError.isInstance(e)) throw e;
      row.error = e.message;
    }
    rows.push(row);
  }
  return rows.sort((a, b) => b.weightBytes - a.weightBytes);
}

/** The model the page has loaded, for the launch line. */
export interface LoadedModel {
  model: PreparedModel;
  spec: ModelSpec;
}

/**
 * The `vramkit` command line that answers the same question, and, once a model is loaded, the launch line
 * its `--emit` prints: built by core's engine profile (`launchCommand`) from the same serving question the
 * page estimates (llama.cpp with the `-ngl` that fits), so the site and the CLI print the same line.
 * A question the library rejects gets the command alone (its error is shown next to the field).
 */
export function cliCommand(state: CalculatorState, loaded?: LoadedModel): string {
  const q = shellWord;
  const args = ['vramkit', 'estimate', q(state.model.trim())];
  const inference = state.mode === 'inference';
  if (!inference) {
    args.push(
      '--mode',
      'train',
      '--method',
      state.method,
      '--optimizer',
      q(state.optimizer),
      '--seq',
      q(state.context),
      '--micro-batch',
      q(state.batch),
    );
  } else if (state.engine === 'llama.cpp') {
    // llama-server's own meaning: -c is the cells of all -np sequences, -ctk/-ctv the cache types.
    const c = count(state.context);
    const b = count(state.batch);
    const cells = Number.isInteger(c) && Number.isInteger(b) ? String(c * b) : state.context;
    args.push('--engine', 'llama.cpp', '-c', q(cells), '-np', q(state.batch), '-ctk', q(state.kv), '-ctv', q(state.kv));
  } else {
    if (state.engine !== 'formula') args.push('--engine', state.engine);
    args.push('--context', q(state.context), '--batch', q(state.batch));
    if (state.engine === 'vllm') args.push('--kv-cache-dtype', q(vllmKv(state.kv)));
    else args.push('--kv-dtype', q(state.kv));
  }
  if (state.quant.trim().toLowerCase() !== 'auto') args.push('--quant', q(state.quant.trim()));
  if (state.memory.trim()) args.push('--gpu-memory', q(state.memory.trim()));
  else
    for (const g of state.gpus
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      args.push('--gpu', q(g));
  const target = inference && state.engine !== 'formula' ? defaultLaunchTarget(state.engine) : undefined;
  if (target) args.push('--emit', target);
  const command = args.join(' ');
  if (!target || !loaded || state.engine === 'formula') return command;
  try {
    const { format } = chooseFormat(state.quant, loaded.spec);
    let o = servingOptions(
      loaded.model,
      state.engine,
      format,
      resolveGpus(state),
      count(state.context),
      count(state.batch),
      state.kv,
    );
    if (o.engine === 'llama.cpp' && o.gpus.length > 0)
      o = { ...o, llamaCpp: { ...o.llamaCpp, nGpuLayers: solveGpuLayers(o).value } };
    const line = launchCommand({ options: o, estimate: estimateServing(o), model: state.model.trim() }, target);
    return `${command}

${line.trimEnd()}`;
  } catch (e) {
    if (!VramkitError.isInstance(e)) throw e;
    return command;
  }
}

/** vLLM's `--kv-cache-dtype` for the page's KV dtype (auto is the model dtype). */
function vllmKv(kv: string): string {
  return kv === 'f16' || kv === 'bf16' ? 'auto' : kv;
}
