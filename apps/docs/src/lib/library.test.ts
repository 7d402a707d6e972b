import { lookupGpu } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import {
  calculate,
  candidateFormats,
  chooseFormat,
  cliCommand,
  loadSpec,
  prepare,
  resolveGpus,
  toFieldError,
} from './library.js';
import { DEFAULT_STATE } from './state.js';

const spec = await loadSpec('meta-llama/Llama-3.1-8B', { offline: true });
const model = prepare(spec);

function errorFor(patch: Partial<typeof DEFAULT_STATE>) {
  try {
    calculate(model, spec, { ...DEFAULT_STATE, ...patch });
  } catch (e) {
    return toFieldError(e);
  }
  throw new Error('expected the library to reject the input');
}

describe('calculate', () => {
  it.each([
    [{ quant: 'Q9_X' }, 'quant', 'NO_SUCH_FORMAT'],
    [{ context: 'abc' }, 'context', 'INVALID_INPUT'],
    [{ context: '0', engine: 'formula' as const }, 'context', 'INVALID_INPUT'],
    [{ batch: '-1' }, 'batch', 'INVALID_INPUT'],
    [{ gpus: 'rtx-9999' }, 'gpus', 'NO_SUCH_GPU'],
    [{ memory: '24G' }, 'memory', 'INVALID_INPUT'],
    [{ kv: 'q9', engine: 'formula' as const }, 'kv', 'INVALID_INPUT'],
    [{ mode: 'training' as const, optimizer: 'sgdx', quant: 'auto' }, 'optimizer', 'INVALID_INPUT'],
  ])('puts the library error for %o next to the %s field', (patch, field, code) => {
    const e = errorFor(patch);
    expect(e.field).toBe(field);
    expect(e.code).toBe(code);
    expect(e.message.length).toBeGreaterThan(10);
  });

  it('solves the longest context on the chosen GPU for an engine, and reports that one token more does not fit', () => {
    const r = calculate(model, spec, {
      ...DEFAULT_STATE,
      engine: 'llama.cpp',
      quant: 'Q8_0',
      gpus: 'rtx-3060-12gb',
      context: '8192',
    });
    expect(r.maxContext?.tokens).toBeGreaterThan(0);
    const at = calculate(
      model,
      spec,
      {
        ...DEFAULT_STATE,
        engine: 'llama.cpp',
        quant: 'Q8_0',
        gpus: 'rtx-3060-12gb',
        context: String(r.maxContext!.tokens),
      },
      { solve: false },
    );
    const over = calculate(
      model,
      spec,
      {
        ...DEFAULT_STATE,
        engine: 'llama.cpp',
        quant: 'Q8_0',
        gpus: 'rtx-3060-12gb',
        context: String(r.maxContext!.tokens + 1),
      },
      { solve: false },
    );
    expect(at.fits).toBe(true);
    expect(over.fits).toBe(false);
  });
});

describe('chooseFormat', () => {
  it('reads the checkpoint quantization_config for auto (gpt-oss experts in MXFP4)', async () => {
    const oss = await loadSpec('openai/gpt-oss-20b', { offline: true });
    expect(chooseFormat('auto', oss).format?.id.toLowerCase()).toContain('mxfp4');
    expect(chooseFormat('auto', spec).format).toBeUndefined();
  });
});

describe('resolveGpus', () => {
  it('gives as many custom cards as GPU ids, each of the custom capacity', () => {
    const g = resolveGpus({ gpus: 'rtx-4090,rtx-4090', memory: '20GiB' });
    expect(g).toHaveLength(2);
    expect(g.every((x) => x.memoryBytes === 20 * 1024 ** 3)).toBe(true);
    expect(resolveGpus({ gpus: 'rtx-4090', memory: '' })[0]).toEqual(lookupGpu('rtx-4090'));
  });
});

describe('candidateFormats', () => {
  it('tries llama.cpp file types for llama.cpp and no GGUF types for the GPU engines', () => {
    expect(candidateFormats('llama.cpp').map((f) => f.id)).toContain('Q4_K_M');
    // The F16 file type by the name --quant gives it; plain F16 is every tensor in f16.
    expect(candidateFormats('llama.cpp').map((f) => f.id)).toContain('ggml:F16');
    expect(candidateFormats('llama.cpp').map((f) => f.id)).not.toContain('F16');
    const gpu = candidateFormats('vllm').map((f) => f.id);
    expect(gpu).toContain('bf16');
    expect(gpu).not.toContain('Q4_K_M');
    expect(gpu).not.toContain('Q4_K');
  });
});

describe('cliCommand', () => {
  it('quotes what the user typed, so a hostile id stays one shell word', () => {
    const c = cliCommand({ ...DEFAULT_STATE, model: "x/$(rm -rf ~)'y" });
    expect(c).toContain(`'x/$(rm -rf ~)'\\''y'`);
    expect(c).toContain('--emit llama-server');
  });

  it("prints the CLI command in llama-server's terms and, below it, the launch line core's llama.cpp profile builds", () => {
    const c = cliCommand({ ...DEFAULT_STATE, batch: '2', kv: 'q8_0' }, { model, spec });
    const [command, line] = c.split('\n\n');
    // -c is the cells of all -np sequences: 8192 tokens × 2 sequences.
    expect(command).toBe(
      'vramkit estimate meta-llama/Llama-3.1-8B --engine llama.cpp -c 16384 -np 2 -ctk q8_0 -ctv q8_0 --quant Q4_K_M --gpu rtx-4090 --emit llama-server',
    );
    expect(line).toBe(
      'llama-server -hf meta-llama/Llama-3.1-8B:Q4_K_M -c 16384 -np 2 -ngl 33 -fa auto -ctk q8_0 -ctv q8_0',
    );
  });

  it('prints vllm serve with the quantization method and the defaults the estimate used', () => {
    const c = cliCommand({ ...DEFAULT_STATE, engine: 'vllm', quant: 'awq', gpus: 'h100-80gb' }, { model, spec });
    expect(c).toMatch(
      /--engine vllm --context 8192 --batch 1 --kv-cache-dtype auto --quant awq --gpu h100-80gb --emit vllm\n\n/,
    );
    expect(c).toMatch(
      /vllm serve meta-llama\/Llama-3\.1-8B \\\n {2}--max-model-len 8192 [\s\S]*--max-num-seqs 1024 [\s\S]*--quantization awq$/,
    );
  });

  it('gives the command alone when the library rejects the question (its error shows by the field)', () => {
    expect(cliCommand({ ...DEFAULT_STATE, quant: 'Q9_X' }, { model, spec })).not.toContain('\n');
  });
});
