import { type Architecture, plainFormats, type WeightFormat } from '@vramkit/core';
import { storedFormat } from '@vramkit/models';
import { builtinFormats, createFormatRegistry, type FormatRegistry, formatFromQuantizationConfig, type QuantizationConfigDetector } from '@vramkit/quant';
import type { CommandArgs } from './command.js';
import type { CliConfig } from './config-file.js';
import { type LoadedPlugins, loadPlugins } from './plugins.js';

/** The formats a command may use: core's plain dtypes, `@vramkit/quant`'s built-ins and any plugins. */
export interface FormatSetup {
  registry: FormatRegistry;
  detectors: QuantizationConfigDetector[];
  plugins: LoadedPlugins['loaded'];
}

/** `--plugin` values (repeatable). */
export function pluginFlags(values: CommandArgs['values']): string[] {
  const v = values.plugin;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

/** Loads the plugins named by the config file and `--plugin`, and composes the registry. */
export async function setupFormats(values: CommandArgs['values'], config: CliConfig, cwd: string): Promise<FormatSetup> {
  const plugins = await loadPlugins([...config.plugins, ...pluginFlags(values)], cwd);
  return { registry: createFormatRegistry(plainFormats, builtinFormats, plugins.formats), detectors: plugins.detectors, plugins: plugins.loaded };
}

/** The weight format to use and why: the flag, the checkpoint's `quantization_config`, or nothing (bf16). */
export interface ChosenFormat {
  format?: WeightFormat;
  origin: 'flag' | 'quantization_config' | 'stored' | 'default';
  note?: string;
}

/**
 * A GGUF file is costed as stored (its header gives every tensor's type: exact, and `--quant` only
 * picked the file). Otherwise `--quant` wins; then a checkpoint that declares a `quantization_config`
 * is costed in its own format (DeepSeek-V3's fp8 blocks, gpt-oss's MXFP4 experts, an AWQ repo); then
 * the default.
 * @throws NoSuchFormatError for an unknown `--quant`
 */
export function chooseFormat(
  setup: FormatSetup,
  quant: string | undefined,
  model: { architecture: Architecture; quantizationConfig?: Record<string, unknown>; inventorySource?: string; load?: { id: string } },
): ChosenFormat {
  if (model.inventorySource === 'gguf') {
    return { format: storedFormat, origin: 'stored', note: `weights as stored in the GGUF file${model.load ? ` ${model.load.id}` : ''}: every tensor's type and size from its header (exact)` };
  }
  if (quant) return { format: setup.registry.get(quant), origin: 'flag' };
  if (model.quantizationConfig) {
    const d = formatFromQuantizationConfig(model.quantizationConfig, model.architecture, { detectors: setup.detectors });
    return { format: d.format, origin: 'quantization_config', note: `weights in ${d.format.id}, read from the checkpoint's quantization_config (quant_method ${d.quantMethod}); pass --quant to override` };
  }
  return { origin: 'default' };
}

/**
 * A format by id from core's plain dtypes, `@vramkit/quant`'s built-ins and `extra` (plugins).
 * @throws NoSuchFormatError listing the known ids
 */
export function resolveFormat(id: string, extra: Readonly<Record<string, WeightFormat>> = {}): WeightFormat {
  return createFormatRegistry(plainFormats, builtinFormats, extra).get(id);
}
