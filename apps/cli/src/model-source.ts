import { type Architecture, type PreparedModel, prepareModel, type Tensor } from '@vramkit/core';
import type { ModelQuantization, ModelSource as LoadSource, ParameterSources } from '@vramkit/models';
import { resolveModelArgument } from '@vramkit/models/node';
import type { CommandArgs, Io } from './command.js';
import { withFlags } from './errors.js';
import { boolFlag } from './flags.js';
import { hubLoadOptions } from './hub-flags.js';

/** A model argument resolved for a command: its architecture, inventory and where it came from. */
export interface ModelSource {
  /** What the user typed. */
  argument: string;
  /** `hub:<id>@<sha>`, `gguf:<file>`, `file:<path>` or `catalogue:<hub id>`. */
  source: string;
  /** A display name: the Hub id or the path. */
  name: string;
  modelType: string;
  architecture: Architecture;
  /** The inventory (from a GGUF or safetensors header when one was read, else synthesized). */
  tensors: readonly Tensor[];
  inventorySource: 'synthesized' | 'safetensors' | 'gguf';
  quantizationConfig?: Record<string, unknown>;
  quantization?: ModelQuantization;
  parameterSources: ParameterSources;
  load: LoadSource;
  warnings: string[];
}

function describe(load: LoadSource): string {
  if (load.kind === 'hub') return `hub:${load.id}${load.sha ? `@${load.sha}` : ''}`;
  if (load.kind === 'gguf') return `gguf:${load.id}`;
  if (load.kind === 'local') return `file:${load.id}`;
  return `catalogue:${load.id}`;
}

/**
 * Resolves the model argument of a command: a `config.json` or folder, a `.gguf` file, a Hub id
 * (fetched with `--revision`, `--file`, `--quant`, `--exact`, cached; `--offline` or an unreachable Hub
 * answers from the cache, then the embedded catalogue, with a notice).
 * @throws VramkitError (`NO_SUCH_MODEL`, `HUB_*`, `OFFLINE`, `CONFIG_VALIDATION`, `PARSE_ERROR`)
 */
export async function resolveModel(argument: string, args: CommandArgs, io: Io): Promise<ModelSource> {
  const { options, done } = hubLoadOptions(args, io, io.isTTY === true && !boolFlag(args.values, 'json'));
  try {
    const spec = await resolveModelArgument(argument, options);
    return {
      argument,
      source: describe(spec.source),
      name: spec.source.kind === 'local' ? argument : spec.id,
      modelType: spec.architecture.family,
      architecture: spec.architecture,
      tensors: spec.tensors,
      inventorySource: spec.inventorySource,
      ...(spec.quantization?.config ? { quantizationConfig: spec.quantization.config } : {}),
      ...(spec.quantization ? { quantization: spec.quantization } : {}),
      parameterSources: spec.parameters,
      load: spec.source,
      // The library names load options in backticks (`exact`); the CLI says its flags.
      warnings: spec.warnings.map((w) => withFlags(w)),
    };
  } finally {
    done();
  }
}

/** The model prepared once for estimates, keeping a header-read inventory when there is one. */
export function preparedFrom(model: ModelSource): PreparedModel {
  return prepareModel(model.architecture, {
    ...(model.inventorySource === 'synthesized'
      ? { source: 'config' as const }
      : { tensors: model.tensors, source: model.inventorySource }),
    ...(model.quantization ? { quantization: model.quantization } : {}),
    name: model.name,
  });
}
