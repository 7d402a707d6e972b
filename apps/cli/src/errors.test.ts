import { ConfigValidationError, InvalidInputError, NoSuchFormatError } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { errorJson, oneLine, reportError, UsageError } from './errors.js';
import { flagForPath, inCliTerms, inFlagTerms } from './flag-paths.js';

describe('library error paths shown as the flags that set them', () => {
  it.each([
    ['workload.context', '--context'],
    ['workload.overhead.contextBytes', '--cuda-context'],
    ['training.lora.targets', '--targets'],
    ['training.parallel.zero', '--zero'],
    ['training.lora.modulesToSave.0', '--modules-to-save'],
    ['llamaCpp.nGpuLayers', '--n-gpu-layers'],
    ['vllm.maxModelLen', '--max-model-len'],
    ['transformers.kvDtype', '--kv-dtype'],
    ['format', '--quant'],
    ['gpuMemoryBytes', '--gpu-memory'],
  ])('%s → %s', (path, flag) => {
    expect(flagForPath(path)).toBe(flag);
  });

  it('says library field paths in notes as flags, and leaves dotted words no flag sets (file names)', () => {
    expect(inCliTerms('llamaCpp.flashAttn auto resolved to on (the CUDA backend runs flash attention)')).toBe(
      '--flash-attn auto resolved to on (the CUDA backend runs flash attention)',
    );
    expect(inCliTerms('auto resolved to off (ggml-cuda/fattn.cu; not measured here)')).toBe(
      'auto resolved to off (ggml-cuda/fattn.cu; not measured here)',
    );
    // Source files whose names start like a field (speculative., context.) stay files.
    const sources = 'one draft context (common/speculative.cpp; tools/server/server-context.cpp, speculative.cpp)';
    expect(inCliTerms(sources)).toBe(sources);
  });

  it('has no flag for a config.json field or an unknown path', () => {
    expect(flagForPath('config.num_attention_heads')).toBeUndefined();
    expect(flagForPath('workload.nothing')).toBeUndefined();
    expect(flagForPath(undefined)).toBeUndefined();
  });

  it('rewrites a core message on workload.context to name --context, and keeps path and code for --json', () => {
    const e = new InvalidInputError([
      { path: 'workload.context', message: 'context (tokens) must be ≤ 16777216', received: 1e12 },
    ]);
    expect(oneLine(e)).toBe('vramkit: --context: context (tokens) must be ≤ 16777216');
    expect(JSON.parse(errorJson(e))).toEqual({
      error: {
        code: 'INVALID_INPUT',
        path: 'workload.context',
        flag: '--context',
        message: '--context: context (tokens) must be ≤ 16777216',
      },
    });
  });

  it('leaves prose alone: "Unknown format" keeps its words, a config.json error keeps its field', () => {
    expect(reportError(new NoSuchFormatError('q9_x', ['bf16'])).message).toMatch(/^--quant: Unknown format "q9_x"/);
    const cfg = new ConfigValidationError('llama', [{ path: 'num_attention_heads', message: 'must be an integer' }]);
    expect(reportError(cfg)).toMatchObject({ code: 'CONFIG_VALIDATION', path: 'config.num_attention_heads' });
    expect(reportError(cfg).flag).toBeUndefined();
  });

  it('gives a usage error on a flag its flag, and none for an unknown one', () => {
    expect(reportError(new UsageError('--zero must be …', 'zero')).flag).toBe('--zero');
    expect(reportError(new UsageError("Unknown option '--bogus'", 'bogus')).flag).toBeUndefined();
    expect(reportError(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'unexpected error: boom' });
  });

  it('names the flags for the options a library message names in backticks, and leaves other words', () => {
    const e = new InvalidInputError([
      {
        path: 'quant',
        message: 'this repository holds 2 GGUF models; choose one by `quant` or `file`: a.gguf, b.gguf',
      },
    ]);
    // The message names --quant itself, so no "--quant:" lead is added.
    expect(oneLine(e)).toBe(
      'vramkit: this repository holds 2 GGUF models; choose one by --quant or --file: a.gguf, b.gguf',
    );
    expect(JSON.parse(errorJson(e)).error).toMatchObject({ path: 'quant', flag: '--quant' });
    expect(
      inFlagTerms('set `exact` to count the headers; `quantization_config` says fp8; `workload.context` is 8'),
    ).toBe('set --exact to count the headers; `quantization_config` says fp8; --context is 8');
  });
});
