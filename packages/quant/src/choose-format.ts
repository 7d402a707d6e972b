import { type Architecture, type PreparedModel, plainFormats, storedFormat, type WeightFormat } from '@vramkit/core';
import { builtinFormats } from './builtin-formats.js';
import { formatFromQuantizationConfig, type QuantizationConfigDetector } from './detect.js';
import { createFormatRegistry, type FormatEntry, type FormatRegistry } from './registry.js';

/** The formats one setup knows: core's plain dtypes, the built-ins and its plugins, with their detectors. */
export interface FormatSetup {
  registry: FormatRegistry;
  /** `quantization_config` readers from plugins, tried before the built-in ones. */
  detectors: readonly QuantizationConfigDetector[];
}

/**
 * One format setup for every command: core's plain dtypes, `@vramkit/quant`'s built-ins, then each
 * plugin's formats (later ids override earlier ones) and detectors.
 * @param plugins what each plugin exports: `formats` and optional `detectors`, in load order
 * @returns the registry and the detectors
 * @throws InvalidInputError when a plugin entry is not a v1 format
 */
export function createFormatSetup(
  plugins: readonly {
    formats: Readonly<Record<string, FormatEntry>>;
    detectors?: readonly QuantizationConfigDetector[];
  }[] = [],
): FormatSetup {
  return {
    registry: createFormatRegistry(plainFormats, builtinFormats, ...plugins.map((p) => p.formats)),
    detectors: plugins.flatMap((p) => p.detectors ?? []),
  };
}

/** What the choice reads of a model: how its tensor list was read, and its checkpoint's `quantization_config`. */
export interface ModelFacts {
  architecture: Architecture;
  inventorySource?: 'synthesized' | 'safetensors' | 'gguf';
  quantizationConfig?: Record<string, unknown>;
  /** A name for notes (the file or repository). */
  name?: string;
}

function factsOf(m: PreparedModel | ModelFacts): ModelFacts {
  if (!('kind' in m) || m.kind !== 'prepared-model') return m as ModelFacts;
  return {
    architecture: m.arch,
    inventorySource: m.inventorySource,
    ...(m.quantization?.config ? { quantizationConfig: m.quantization.config } : {}),
    ...(m.name ? { name: m.name } : {}),
  };
}

/** What the weight format of a model is chosen from. */
export interface FormatChoiceInput {
  /**
   * The model as loaded: core's `PreparedModel` (its origin and stored quantization say it all), or
   * the same facts spelled out.
   */
  model: PreparedModel | ModelFacts;
  /** The format asked for: an id or `<family>@<params>` (`gptq@bits=3,group=64`), kept whole. */
  request?: string;
  /** The format when nothing else decides (an engine's default); undefined leaves it to the estimator (bf16). */
  fallback?: string;
}

/** The chosen format and why. */
export interface FormatChoice {
  /** Undefined: nothing chose one; the estimator's default applies. */
  format?: WeightFormat;
  /** `stored`: the file's own tensor types; `request`: asked for; `quantization_config`: the checkpoint's; `default`: the fallback or none. */
  origin: 'stored' | 'request' | 'quantization_config' | 'default';
  /** One line saying where the format came from, for the estimate's assumptions. */
  note?: string;
}

/**
 * Chooses the weight format of a model, in this order:
 * 1. a GGUF file is costed as stored (core's `storedFormat`): its header gives every tensor's type,
 *    exact (a request only picked which file of a repository to read);
 * 2. the requested format;
 * 3. the checkpoint's `quantization_config` (DeepSeek-V3's fp8 blocks, gpt-oss's MXFP4 experts, an AWQ repo);
 * 4. the fallback, else none (the estimator's bf16).
 * @param setup the formats and detectors of this run ({@link createFormatSetup})
 * @param input the model, the request and the fallback
 * @returns the format, its origin and a note
 * @throws NoSuchFormatError for an unknown id, listing the known ones
 * @throws InvalidInputError when a family rejects its parameters or a quantization_config is incomplete
 */
export function chooseWeightFormat(setup: FormatSetup, input: FormatChoiceInput): FormatChoice {
  const model = factsOf(input.model);
  if (model.inventorySource === 'gguf') {
    return {
      format: storedFormat,
      origin: 'stored',
      note: `weights as stored in the GGUF file${model.name ? ` ${model.name}` : ''}: every tensor's type and size from its header (exact)`,
    };
  }
  if (input.request) return { format: setup.registry.get(input.request), origin: 'request' };
  if (model.quantizationConfig) {
    const d = formatFromQuantizationConfig(model.quantizationConfig, model.architecture, {
      detectors: [...setup.detectors],
    });
    return {
      format: d.format,
      origin: 'quantization_config',
      note: `weights in ${d.format.id}, read from the checkpoint's quantization_config (quant_method ${d.quantMethod}); request another format to override`,
    };
  }
  if (input.fallback) return { format: setup.registry.get(input.fallback), origin: 'default' };
  return { origin: 'default' };
}

/**
 * Splits a list of format ids on commas without breaking a family's parameters:
 * `gptq@bits=3,group=64,Q4_K_M` → `gptq@bits=3,group=64`, `Q4_K_M`. A piece that holds `=` and no
 * `@` continues the `<family>@` item before it; so does a bare word (`desc_act`) that is not itself a format.
 * @param list comma-separated ids
 * @param isFormat whether a bare word is a format id of its own (default: none is)
 * @returns the ids, trimmed, empty pieces dropped
 */
export function splitFormatList(list: string, isFormat: (id: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const raw of list.split(',')) {
    const piece = raw.trim();
    if (!piece) continue;
    const prev = out[out.length - 1];
    const continues =
      prev?.includes('@') &&
      !piece.includes('@') &&
      (piece.includes('=') || (/^[a-z_]+$/.test(piece) && !isFormat(piece)));
    if (continues) out[out.length - 1] = `${prev},${piece}`;
    else out.push(piece);
  }
  return out;
}

/**
 * The formats to compare for one model (`fit`): the requested list; else the file as stored or the
 * checkpoint's own `quantization_config`, which leave nothing to choose; else the candidates given
 * (an engine's defaults: ids, or formats used as they are), skipping ids this setup does not know.
 * @param setup the formats of this run
 * @param input the model, the requested list (`Q4_K_M,gptq@bits=3,group=64`) and the candidates
 * @returns one choice per format, in order
 * @throws NoSuchFormatError for an unknown requested id
 */
export function chooseWeightFormats(
  setup: FormatSetup,
  input: Omit<FormatChoiceInput, 'fallback' | 'request'> & {
    request?: string;
    candidates: readonly (string | WeightFormat)[];
  },
): FormatChoice[] {
  const { candidates, request, ...rest } = input;
  const single = chooseWeightFormat(setup, rest);
  if (single.origin === 'stored') return [single];
  if (request)
    return splitFormatList(request, (id) => setup.registry.has(id)).map((id) => ({
      format: setup.registry.get(id),
      origin: 'request' as const,
    }));
  if (single.format) return [single];
  return candidates
    .flatMap((c) => (typeof c !== 'string' ? [c] : setup.registry.has(c) ? [setup.registry.get(c)] : []))
    .map((format) => ({ format, origin: 'default' as const }));
}
