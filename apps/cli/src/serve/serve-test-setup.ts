// Shared setup of the serving tests (serve.test.ts, symptoms.test.ts, speculative.test.ts): one in-process
// CLI run, one estimate run with a resolved model, offline and in a temporary directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { WeightFormat } from '@vramkit/core';
import type { Command, Io } from '../command.js';
import { main } from '../main.js';
import { resolveModel } from '../model-argument.js';
import { candidateFormats } from './candidate-formats.js';
import { expandEngineShortFlags, serveOptions } from './engine-flags.js';
import { runServeEstimate } from './run-serve-estimate.js';

/** The serving tests' usual model and engine: Llama-3.1-8B as Q4_K_M under llama.cpp. */
export const LLAMA_8B_Q4 = ['meta-llama/Meta-Llama-3.1-8B', '--engine', 'llama.cpp', '--quant', 'Q4_K_M'] as const;

/** What a run printed and returned. */
export interface RunResult {
  code: number;
  out: string;
  err: string;
}

/** An offline Io collecting output, in a fresh temporary directory. */
export function testIo(): { io: Io; result: () => { out: string; err: string } } {
  let out = '';
  let err = '';
  const cwd = mkdtempSync(join(tmpdir(), 'vramkit-serve-'));
  return {
    io: {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: { HOME: cwd, HF_HUB_OFFLINE: '1', VRAMKIT_CACHE_DIR: join(cwd, '.cache') },
      cwd,
    },
    result: () => ({ out, err }),
  };
}

/** `vramkit <argv>` in-process, through main (flag table, scopes and error reporting included). */
export async function cli(argv: string[]): Promise<RunResult> {
  const t = testIo();
  const code = await main(argv, t.io);
  return { code, ...t.result() };
}

/** One command's `run` with its own parseArgs options (no flag-context check). */
export async function runCommand(command: Command, argv: string[]): Promise<RunResult> {
  const parsed = parseArgs({
    args: expandEngineShortFlags(argv),
    options: command.options,
    allowPositionals: true,
    strict: true,
  });
  const t = testIo();
  const code = await command.run({ positionals: parsed.positionals, values: parsed.values }, t.io);
  return { code, ...t.result() };
}

const estimateLike = {
  ...serveOptions,
  context: { type: 'string', short: 'c' },
  batch: { type: 'string', short: 'b' },
  quant: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * `runServeEstimate` on a resolved model: the engine flags parsed as `estimate` does, `--quant` (or
 * `format`) as the weight format. Errors are thrown, not reported.
 */
export async function serve(argv: string[], format?: WeightFormat): Promise<RunResult> {
  const parsed = parseArgs({
    args: expandEngineShortFlags(argv),
    options: estimateLike,
    allowPositionals: true,
    strict: true,
  });
  const t = testIo();
  const m = await resolveModel(parsed.positionals[0]!, { positionals: parsed.positionals, values: {} }, t.io);
  const quant =
    typeof parsed.values.quant === 'string' ? candidateFormats('llama.cpp', parsed.values.quant)[0] : undefined;
  const code = await runServeEstimate(
    { positionals: parsed.positionals, values: parsed.values },
    t.io,
    m,
    format ?? quant,
  );
  return { code, ...t.result() };
}
