import {
  enginesLaunching,
  engineProfile,
  LAUNCH_TARGETS,
  type LaunchTarget,
  launchCommand,
  type ServingEstimate,
  type ServingOptions,
} from '@vramkit/core';
import { UsageError } from '../errors.js';

/** Launch targets `--emit` knows: core's engine profiles build them. */
export const EMIT_TARGETS = LAUNCH_TARGETS;
export type EmitTarget = LaunchTarget;

/**
 * The launch command (or Modelfile, or script) whose settings are the ones the estimate says fit, as core's
 * engine profile builds it ({@link launchCommand}).
 * @param target llama-server | ollama | vllm | transformers
 * @param o the serving question that was estimated
 * @param e its estimate (for llama.cpp, run with the -ngl that fits)
 * @param model the model argument as the user gave it (a Hub id or a .gguf path)
 * @param draftModel the draft model argument as given, with speculative decoding
 * @throws UsageError when the target is not one the engine launches as
 */
export function emitLaunch(
  target: EmitTarget,
  o: ServingOptions,
  e: ServingEstimate,
  model: string,
  draftModel?: string,
): string {
  if (engineProfile(o.engine).launch[target] === undefined) {
    const engines = enginesLaunching(target);
    throw new UsageError(`--emit ${target} needs --engine ${engines.join(' or ')}`, 'emit');
  }
  return launchCommand({ options: o, estimate: e, model, ...(draftModel ? { draftModel } : {}) }, target);
}
