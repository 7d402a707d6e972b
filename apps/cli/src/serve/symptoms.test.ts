import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ggufFromConfig } from '@vramkit/models/testing';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../commands/fit.js';
import { candidateFormats } from './candidate-formats.js';
import { ServeOutputSchema } from './output-schemas.js';
import { cli, LLAMA_8B_Q4, runCommand, serve } from './serve-test-setup.js';

/** A sparse Llama-3.2-1B GGUF on disk (header only; the file is extended to full size without data). */
function llamaGguf(): string {
  const config = JSON.parse(
    readFileSync(
      new URL('../../../../packages/models/catalogue/configs/meta-llama__Llama-3.2-1B-Instruct.json', import.meta.url),
      'utf8',
    ),
  ) as Record<string, unknown>;
  const { files } = ggufFromConfig(config, 'Llama-3.2-1B');
  const [name, file] = Object.entries(files)[0]!;
  const path = join(mkdtempSync(join(tmpdir(), 'vramkit-gguf-')), name);
  const fd = openSync(path, 'w');
  writeSync(fd, file.head);
  ftruncateSync(fd, file.size);
  closeSync(fd);
  return path;
}

const llama = 'meta-llama/Meta-Llama-3.1-8B';

describe('serving symptoms (each failed before)', () => {
  it('-c 32768 -np 4 --emit llama-server keeps -c 32768 (the total), and the header says 8,192 tokens per sequence', async () => {
    const emit = await serve([
      ...LLAMA_8B_Q4,
      '--gpu',
      'h100-80gb',
      '-c',
      '32768',
      '-np',
      '4',
      '--emit',
      'llama-server',
    ]);
    expect(emit.out).toMatch(/ -c 32768 -np 4 /);
    const text = await serve([...LLAMA_8B_Q4, '--gpu', 'h100-80gb', '-c', '32768', '-np', '4']);
    expect(text.out).toMatch(/-c 32,768 cells · -np 4 \(8,192 tokens per sequence\)/);
  });

  it('--ctx-size and -c are one llama.cpp flag: the same estimate, and an error when both disagree', async () => {
    const at = async (flag: string) =>
      (await cli(['estimate', ...LLAMA_8B_Q4, '--gpu', 'h100-80gb', flag, '32768', '-np', '4'])).out;
    const short = await at('-c');
    expect(await at('--ctx-size')).toBe(short);
    expect(short).toMatch(/-c 32,768 cells · -np 4 \(8,192 tokens per sequence\)/);
    const both = await cli(['estimate', ...LLAMA_8B_Q4, '--gpu', 'h100-80gb', '-c', '8192', '--ctx-size', '4096']);
    expect(both.code).not.toBe(0);
    expect(both.err).toMatch(/--context 8192 and --ctx-size 4096 disagree: llama\.cpp reads both as n_ctx/);
  });

  it("-b 2048 is llama.cpp's logical batch, not 2,048 sequences", async () => {
    const r = ServeOutputSchema.parse(
      JSON.parse((await serve([...LLAMA_8B_Q4, '--gpu', 'rtx-4090', '-b', '2048', '--json'])).out),
    );
    expect(r.batch).toBe(1);
    expect(r.bytes.kvCache).toBe(512 * 2 ** 20); // 4096 cells × 32 layers × 2 × 1024 × 2 bytes
    expect(r.engine.maxConcurrency).toBe(1);
  });

  it('without --gpu llama.cpp says what one GPU needs, never "fits: yes"', async () => {
    const r = await serve([llama, '--engine', 'llama.cpp', '--quant', 'Q4_K_M']);
    expect(r.out).toMatch(/fits: unknown — no --gpu given; one GPU needs [\d.]+ GiB/);
    expect(r.out).not.toMatch(/fits: yes/);
  });

  it('--gpu-memory 24 is an error naming 24GiB and 24GB', async () => {
    await expect(serve([...LLAMA_8B_Q4, '--gpu-memory', '24'])).rejects.toThrow(/24GiB.* or 24GB/);
  });

  it('a config given without --quant runs as Q4_K_M under llama.cpp, and says so', async () => {
    const r = await serve([llama, '--engine', 'llama.cpp', '--gpu', 'rtx-4090']);
    expect(r.out).toMatch(/weights Q4_K_M/);
    expect(r.out).toMatch(/note: weights Q4_K_M: a model given as a config runs as Q4_K_M/);
  });

  it('--emit ollama pulls hf.co/<repo>:<quant> and states a V cache type it cannot keep', async () => {
    const r = await serve([...LLAMA_8B_Q4, '--gpu', 'rtx-4090', '-ctk', 'q8_0', '-ctv', 'f16', '--emit', 'ollama']);
    expect(r.out).toMatch(/^FROM hf\.co\/meta-llama\/Meta-Llama-3\.1-8B:Q4_K_M\n/);
    expect(r.out).toMatch(/OLLAMA_KV_CACHE_TYPE=q8_0/);
    expect(r.out).toMatch(/K q8_0 and V f16/);
  });

  it('vllm serve carries --quantization awq for an AWQ estimate', async () => {
    const r = await serve(
      [llama, '--engine', 'vllm', '--gpu', 'rtx-4090', '--emit', 'vllm'],
      candidateFormats('vllm', 'awq')[0],
    );
    expect(r.out).toMatch(/--quantization awq/);
  });

  it('estimate <file.gguf> --engine llama.cpp uses the file\'s tensor types (no "no stored dtype")', async () => {
    const path = llamaGguf();
    const r = ServeOutputSchema.parse(
      JSON.parse((await serve([path, '--engine', 'llama.cpp', '--gpu', 'rtx-4090', '--json'])).out),
    );
    expect(r.format).toBe('stored');
    // The writer's Q4_K/Q6_K mix: the GPU holds every layer and the output; token_embd stays on the host.
    expect(r.bytes.weights).toBeGreaterThan(500 * 2 ** 20);
    expect(r.bytes.weights).toBeLessThan(900 * 2 ** 20);
    const emit = await serve([path, '--engine', 'llama.cpp', '--gpu', 'rtx-4090', '--emit', 'llama-server']);
    expect(emit.out).toMatch(/^llama-server -m \S+\.gguf /);
  });

  it('a GGUF file under transformers counts dequantized to bf16, not as stored', async () => {
    const path = llamaGguf();
    const r = ServeOutputSchema.parse(
      JSON.parse((await serve([path, '--engine', 'transformers', '--gpu', 'h100-80gb', '--json'])).out),
    );
    // Llama-3.2-1B: 1,235,814,400 parameters (tied embeddings) and the file's 32 rope_freqs, 2 bytes each in bf16.
    expect(r.bytes.weights).toBe(2 * (1_235_814_400 + 32));
    expect(r.assumptions.join('\n')).toMatch(/dequantizes a GGUF file/);
  });

  it('fit <file.gguf> uses the file', async () => {
    const path = llamaGguf();
    const r = await runCommand(fitCommand, [path, '--gpu', 'rtx-4090', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { rows: { format: string }[] };
    expect(out.rows.map((r) => r.format)).toEqual(['stored']);
  });

  it('--engine vllm@0.6.3 applies V0 defaults; vLLM prints concurrency as 6.65x does, and its refusal with the largest --max-model-len', async () => {
    const v0 = ServeOutputSchema.parse(
      JSON.parse(
        (
          await serve([
            'meta-llama/Llama-2-7b-hf',
            '--engine',
            'vllm@0.6.3',
            '--gpu',
            'rtx-3090',
            '--max-model-len',
            '4096',
            '--json',
          ])
        ).out,
      ),
    );
    expect(v0.assumptions.join('\n')).toMatch(/V0\): the profile run processes max_model_len = 4,096 tokens/);
    const text = await serve([
      'meta-llama/Llama-2-7b-hf',
      '--engine',
      'vllm',
      '--gpu',
      'h100-80gb',
      '--max-model-len',
      '4096',
    ]);
    expect(text.out).toMatch(/maximum concurrency for 4,096 tokens per request: \d+\.\d\dx/);
    const refused = await serve([
      'meta-llama/Llama-2-7b-hf',
      '--engine',
      'vllm',
      '--gpu',
      'rtx-4090',
      '--max-model-len',
      '4096',
      '--gpu-memory-utilization',
      '0.62',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/vLLM refuses to start: .* use --max-model-len \d+ /);
  });

  it('the --json output of a no-GPU llama.cpp estimate matches the published schema (strict: no unknown field)', async () => {
    const out = JSON.parse((await serve([...LLAMA_8B_Q4, '--json'])).out);
    expect(ServeOutputSchema.parse(out).binding).toBe('no-gpu');
  });
});
