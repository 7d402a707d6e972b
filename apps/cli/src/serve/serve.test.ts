import { describe, expect, it } from 'vitest';
import { compareCommand } from '../commands/compare.js';
import { fitCommand } from '../commands/fit.js';
import { gpusCommand } from '../commands/gpus.js';
import { expandEngineShortFlags } from './engine-flags.js';
import { CompareOutputSchema, FitOutputSchema, ServeOutputSchema } from './output-schemas.js';
import { LLAMA_8B_Q4, runCommand as run, serve } from './serve-test-setup.js';

describe('expandEngineShortFlags', () => {
  it('rewrites -ngl 99, -ctk=q8_0 and -fa on to long flags and leaves others alone', () => {
    expect(expandEngineShortFlags(['-ngl', '99', '-ctk=q8_0', '-fa', 'on', '-c', '8192'])).toEqual([
      '--n-gpu-layers',
      '99',
      '--cache-type-k=q8_0',
      '--flash-attn',
      'on',
      '-c',
      '8192',
    ]);
  });
});

describe('runServeEstimate', () => {
  it('prints no KV budget without a GPU capacity (it is not 0 tokens)', async () => {
    const r = await serve([...LLAMA_8B_Q4, '-c', '8192']);
    expect(r.out).toMatch(/KV budget, max concurrency and max context: need a GPU capacity/);
    expect(r.out).not.toMatch(/KV budget 0\.00 GiB/);
    expect(r.out).toMatch(/fits: unknown/);
  });

  it('prints per-GPU bytes, KV tokens and -ngl for llama.cpp Llama-3.1-8B Q4_K_M on an RTX 3060 12GB at 32k', async () => {
    const r = await serve([...LLAMA_8B_Q4, '--gpu', 'rtx-3060-12gb', '-c', '32768']);
    expect(r.out).toMatch(/GeForce RTX 3060 12GB/);
    expect(r.out).toMatch(/-ngl \d+\/33 layers on the GPU/);
    expect(r.out).toMatch(/KV budget/);
    const json = ServeOutputSchema.parse(
      JSON.parse((await serve([...LLAMA_8B_Q4, '--gpu', 'rtx-3060-12gb', '-c', '32768', '--json'])).out),
    );
    expect(json.engine.gpuLayers).toBe(33);
    expect(json.engine.hostBytes).toBeGreaterThan(0);
    // 32 layers × 32,768 cells × 8 KV heads × 128 × 2 (K, V) × 2 bytes = 4 GiB.
    expect(json.bytes.kvCache).toBe(4 * 2 ** 30);
  });

  it('emits JSON with bytes.weights per GPU under --tp 2 and engine figures for vLLM Llama-3.1-70B on H100s', async () => {
    const r = await serve([
      'meta-llama/Meta-Llama-3.1-70B',
      '--engine',
      'vllm',
      '--gpu',
      'h100-80gb',
      '--tp',
      '2',
      '--gpu-memory-utilization',
      '0.9',
      '-c',
      '8192',
      '--json',
    ]);
    const out = ServeOutputSchema.parse(JSON.parse(r.out));
    expect(out.gpus).toHaveLength(2);
    expect(out.bytes.weights).toBeGreaterThan(60 * 2 ** 30);
    expect(out.bytes.weights).toBeLessThan(70 * 2 ** 30);
    expect(out.engine).toMatchObject({ name: 'vllm' });
    expect(out.engine.kvTokens).toBeGreaterThan(8192);
    expect(out.engine.maxConcurrency).toBeGreaterThan(0);
  });

  it('prints a llama-server command with the -ngl, -c and -ctk the estimate fits', async () => {
    const r = await serve([
      ...LLAMA_8B_Q4,
      '--gpu',
      'rtx-4090',
      '-c',
      '16384',
      '-ctk',
      'q8_0',
      '-fa',
      'on',
      '--emit',
      'llama-server',
    ]);
    expect(r.out).toBe(
      'llama-server -hf meta-llama/Meta-Llama-3.1-8B:Q4_K_M -c 16384 -np 1 -ngl 33 -fa on -ctk q8_0\n',
    );
  });

  it('prints a vllm serve command and an Ollama Modelfile', async () => {
    const v = await serve([
      'meta-llama/Meta-Llama-3.1-8B',
      '--engine',
      'vllm',
      '--gpu',
      'rtx-4090',
      '-c',
      '8192',
      '--emit',
      'vllm',
    ]);
    expect(v.out).toMatch(
      /^vllm serve meta-llama\/Meta-Llama-3.1-8B \\\n {2}--max-model-len 8192 \\\n {2}--gpu-memory-utilization 0.9/,
    );
    const o = await serve([...LLAMA_8B_Q4, '--gpu', 'rtx-4090', '-c', '8192', '--emit', 'ollama']);
    expect(o.out).toMatch(
      /^FROM hf.co\/meta-llama\/Meta-Llama-3.1-8B:Q4_K_M\nPARAMETER num_ctx 8192\nPARAMETER num_gpu 33\n/,
    );
  });
});

describe('vramkit fit', () => {
  it('tabulates quant × context × batch for Qwen3-30B-A3B on an RTX 4090: Q4_K_M fits, ggml:F16 (the F16 file type) does not', async () => {
    const r = await run(fitCommand, ['Qwen/Qwen3-30B-A3B', '--gpu', 'rtx-4090', '--json']);
    expect(r.code).toBe(0);
    const out = FitOutputSchema.parse(JSON.parse(r.out));
    const q4 = out.rows.find((x) => x.format === 'Q4_K_M')!;
    const f16 = out.rows.find((x) => x.format === 'ggml:F16')!;
    expect(q4.maxContext).toBeGreaterThan(4096);
    expect(f16.maxContext).toBe(0);
    expect(f16.gpuLayers).toBeLessThan(f16.totalLayers!);
  });

  it('renders a table with one row per quant', async () => {
    const r = await run(fitCommand, ['Qwen/Qwen3-30B-A3B', '--gpu', 'rtx-4090']);
    expect(r.out).toMatch(/^quant\s+weights GiB\s+max context \(batch 1\)/m);
    expect(r.out).toMatch(/^Q4_K_M\s+/m);
  });
});

describe('vramkit compare', () => {
  it('puts one row per GPU × engine', async () => {
    const r = await run(compareCommand, [
      'meta-llama/Meta-Llama-3.1-8B',
      '--gpu',
      'rtx-4090',
      '--gpu',
      'h100-80gb',
      '--engine',
      'llama.cpp,vllm',
      '--json',
    ]);
    const out = CompareOutputSchema.parse(JSON.parse(r.out));
    expect(out.results.map((x) => `${x.gpu}/${x.engine}`)).toEqual([
      'rtx-4090/llama.cpp',
      'rtx-4090/vllm',
      'h100-80gb/llama.cpp',
      'h100-80gb/vllm',
    ]);
  });
});

describe('vramkit gpus', () => {
  it('lists the catalogue with usable GiB (RTX 4090: 23.99)', async () => {
    const r = await run(gpusCommand, []);
    expect(r.out).toMatch(/^rtx-4090\s+GeForce RTX 4090\s+24\.0\s+23\.99\s+1008/m);
  });

  it('prints every entry with its source under --json', async () => {
    const r = await run(gpusCommand, ['--json', '--segment', 'apple']);
    const out = JSON.parse(r.out);
    expect(
      out.gpus.every((g: { source: string; segment: string }) => g.source.length > 0 && g.segment === 'apple'),
    ).toBe(true);
  });
});
