import type { PreparedModel, WeightFormat } from '@vramkit/core';
import {
  chooseWeightFormat,
  chooseWeightFormats,
  createFormatSetup,
  type FormatChoice,
  type FormatSetup,
} from '@vramkit/quant';
import type { CommandArgs, Io } from './command.js';
import { type CliConfig, loadCliConfig } from './config-file.js';
import { readFlag } from './flag-parse.js';
import { type LoadedPlugins, loadPlugins } from './plugins.js';

/** The formats of one run: the library's setup from the config file's plugins and `--plugin`, and what was loaded. */
export interface CliFormatSetup extends FormatSetup {
  plugins: LoadedPlugins['loaded'];
  config: CliConfig;
}

const setups = new WeakMap<object, Promise<CliFormatSetup>>();

/**
 * The one format setup every command uses: the config file (`--config`, else the usual places) and
 * its `plugins`, then each `--plugin`, composed by `@vramkit/quant`'s `createFormatSetup`. Loaded
 * once per command line.
 * @throws PluginNotFoundError | PluginExportsNoFormatsError | ConfigValidationError
 */
export function formatSetup(args: CommandArgs, io: Io): Promise<CliFormatSetup> {
  let p = setups.get(args.values);
  if (!p) {
    p = (async () => {
      const config = await loadCliConfig(readFlag(args.values, 'config') as string | undefined, io.env, io.cwd);
      const plugins = await loadPlugins(
        [...config.plugins, ...((readFlag(args.values, 'plugin') as string[] | undefined) ?? [])],
        io.cwd,
      );
      return { ...createFormatSetup([plugins]), plugins: plugins.loaded, config };
    })();
    setups.set(args.values, p);
  }
  return p;
}

/** Lets `to` (the same command line with config defaults filled in) reuse the setup of `from`. */
export function shareFormatSetup(from: CommandArgs, to: CommandArgs): void {
  const p = setups.get(from.values);
  if (p) setups.set(to.values, p);
}

/**
 * The weight format of a command's model, chosen by the library (`chooseWeightFormat`): the file as
 * stored, `--quant`, the checkpoint's `quantization_config`, then `fallback`.
 */
export function chooseFormat(
  setup: FormatSetup,
  model: PreparedModel,
  request: string | undefined,
  fallback?: string,
): FormatChoice {
  return chooseWeightFormat(setup, {
    model,
    ...(request ? { request } : {}),
    ...(fallback ? { fallback } : {}),
  });
}

/** The formats `fit` compares (`chooseWeightFormats`): `--quant a,b,…`, the stored or declared one, or the engine's candidates. */
export function chooseFormats(
  setup: FormatSetup,
  model: PreparedModel,
  request: string | undefined,
  candidates: readonly (string | WeightFormat)[],
): FormatChoice[] {
  return chooseWeightFormats(setup, { model, ...(request ? { request } : {}), candidates });
}
