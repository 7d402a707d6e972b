import type { ResolveModelOptions } from '@vramkit/models/node';
import type { CommandArgs, Io } from './command.js';
import { collect } from './flag-parse.js';
import { hubProgress } from './hub-progress.js';

/**
 * Turns the Hub flags (`--revision`, `--offline`, `--file`, `--quant`, `--exact`, `--timeout`,
 * `--no-cache`; the flag table's `hub` fields) into `resolveModelArgument` options, with a stderr
 * progress line when `progress`. `HF_TOKEN` and `HF_ENDPOINT` come from the environment, never from flags.
 * @returns the options and `done()` to clear the progress line once the model is loaded
 */
export function hubLoadOptions(
  args: CommandArgs,
  io: Io,
  progress: boolean,
): { options: ResolveModelOptions; done: () => void } {
  const bar = hubProgress(io.err, progress);
  const options: ResolveModelOptions = {
    env: io.env,
    cwd: io.cwd,
    onProgress: bar.onProgress,
    ...(collect(args.values, 'hub') as Partial<ResolveModelOptions>),
  };
  return { options, done: bar.done };
}
