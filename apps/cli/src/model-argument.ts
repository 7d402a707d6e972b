import type { PreparedModel } from '@vramkit/core';
import { type ModelSource, preparedModelOf } from '@vramkit/models';
import { resolveModelArgument } from '@vramkit/models/node';
import type { CommandArgs, Io } from './command.js';
import { inFlagTerms } from './flag-paths.js';
import { boolFlag } from './flags.js';
import { hubLoadOptions } from './hub-flags.js';

/**
 * A command's model argument, loaded: core's `PreparedModel` (the one model value every estimate
 * takes) plus what only the command line needs — what the user typed, how to name it, where it was
 * read from and the loader's notices.
 */
export interface ModelArgument {
  /** What the user typed. */
  readonly argument: string;
  /** A display name: the Hub id, or the path as typed. */
  readonly name: string;
  /** `hub:<id>@<sha>`, `gguf:<file>`, `file:<path>` or `catalogue:<hub id>`. */
  readonly source: string;
  /** The loader's notices (fallbacks taken, counts that disagree, generic mappings used), naming flags. */
  readonly warnings: readonly string[];
  /** The model: architecture, tensor list (header-read or synthesized), origin and stored quantization. */
  readonly model: PreparedModel;
}

/** What an estimate's renderer needs of a model argument: the model, what was typed and its display name. */
export type NamedModel = Pick<ModelArgument, 'argument' | 'name' | 'model'>;

function describe(load: ModelSource): string {
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
export async function resolveModel(argument: string, args: CommandArgs, io: Io): Promise<ModelArgument> {
  const { options, done } = hubLoadOptions(args, io, io.isTTY === true && !boolFlag(args.values, 'json'));
  try {
    const spec = await resolveModelArgument(argument, options);
    return {
      argument,
      name: spec.source.kind === 'local' ? argument : spec.id,
      source: describe(spec.source),
      // The loader names the options it suggests (`exact`); the user reads the flags that set them.
      warnings: spec.warnings.map((w) => inFlagTerms(w)),
      model: preparedModelOf(spec),
    };
  } finally {
    done();
  }
}
