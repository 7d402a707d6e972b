import type { ParseArgsConfig } from 'node:util';
import type { ResolveModelOptions } from '@vramkit/models/node';
import type { CommandArgs, Io } from './command.js';
import { boolFlag, intFlag, stringFlag } from './flags.js';
import { hubProgress } from './hub-progress.js';

/**
 * The flags every command that loads a model accepts; spread into a command's `options`.
 * `HF_TOKEN` and `HF_ENDPOINT` come from the environment, never from flags (tokens stay out of shell history).
 */
export const hubFlagOptions = {
  revision: { type: 'string' },
  offline: { type: 'boolean' },
  file: { type: 'string' },
  quant: { type: 'string' },
  exact: { type: 'boolean' },
  timeout: { type: 'string' },
  'no-cache': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Help lines for {@link hubFlagOptions}, to append to a command's help. */
export const hubFlagHelp = `Loading from the Hugging Face Hub:
  --revision <ref>   branch, tag or commit sha (default main)
  --offline          never use the network: the cache, then the embedded catalogue (also HF_HUB_OFFLINE=1)
  --file <name>      a GGUF file of the repository (any part of a split set)
  --quant <type>     pick the GGUF quantization, e.g. Q4_K_M
  --exact            read every safetensors header (range requests; weights are never downloaded)
  --timeout <s>      seconds per request attempt (default 20)
  --no-cache         do not read or write the on-disk cache (vramkit cache list|clear)
  HF_TOKEN=hf_…      token for gated or private models; HF_ENDPOINT points every request at another hub
`;

/**
 * Turns parsed flags into `resolveModelArgument` options, with a stderr progress line when `progress`.
 * @returns the options and `done()` to clear the progress line once the model is loaded
 */
export function hubLoadOptions(args: CommandArgs, io: Io, progress: boolean): { options: ResolveModelOptions; done: () => void } {
  const v = args.values;
  const timeout = intFlag(v, 'timeout');
  const bar = hubProgress(io.err, progress);
  const options: ResolveModelOptions = {
    env: io.env,
    cwd: io.cwd,
    onProgress: bar.onProgress,
    ...(stringFlag(v, 'revision') ? { revision: stringFlag(v, 'revision') } : {}),
    ...(boolFlag(v, 'offline') ? { offline: true } : {}),
    ...(stringFlag(v, 'file') ? { file: stringFlag(v, 'file') } : {}),
    ...(stringFlag(v, 'quant') ? { quant: stringFlag(v, 'quant') } : {}),
    ...(boolFlag(v, 'exact') ? { exact: true } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    ...(boolFlag(v, 'no-cache') ? { noCache: true } : {}),
  };
  return { options, done: bar.done };
}
