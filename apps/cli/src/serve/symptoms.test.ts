import { closeSync, mkdtempSync, openSync, readFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ggufFromConfig } from '@vramkit/models/testing';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../commands/fit.js';
import { resolveModel } from '../model-argument.js';
import { expandEngineShortFlags, serveOptions } from './engine-flags.js';
import { ServeOutputSchema } from './output-schemas.js';
import { runServeEstimate } from './run-serve-estimate.js';
import { candidateFormats } from './candidate-formats.js';

const estimateLike = {
  ...serveOptions,
  context: { type: 'string', short: 'c' },
  batch: { type: 'string', short: 'b' },
  quant: { type: 'string' },
  json: { type: 'boolean' },
} as const;
const io = (sink: { out: string }) => ({
  out: (t: string) => (sink.out += t),
  err: () => {},
  env: { HF_HUB_OFFLINE: '1' },
  cwd: tmpdir(),
});

async function serve(argv: string[]) {
  const parsed = parseArgs({
    args: expandEngineShortFlags(argv),
    options: estimateLike,
    allowPositionals: true,
    strict: true,
  });
  const m = await resolveModel(
    parsed.positionals[0]!,
    { positionals: parsed.positionals, values: {} },
    io({ out: '' }),
  );
  const format =
    typeof parsed.values.quant === 'string' ? candidateFormats('llama.cpp', parsed.values.quant)[0] : undefined;
  const sink = { out: '' };
  const code = runServeEstimate({ positionals: parsed.positionals, values: parsed.values }, io(sink), m, format);
  return { code, out: sink.out };
}

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
      llama,
      '--engine',
      'llama.cpp',
      '--quant',
      'Q4_K_M',
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
    const text = await serve([
      llama,
      '--engine',
      'llama.cpp',
      '--quant',
      'Q4_K_M',
      '--gpu',
      'h100-80gb',
      '-c',
      '32768',
      '-np',
      '4',
    ]);
    expect(text.out).toMatch(/-c 32,768 cells · -np 4 \(8,192 tokens per sequence\)/);
  });

  it("-b 2048 is llama.cpp's logical batch, not 2,048 sequences", async () => {
    const r = ServeOutputSchema.parse(
      JSON.parse(
        (
          await serve([
            llama,
            '--engine',
            'llama.cpp',
            '--quant',
            'Q4_K_M',
            '--gpu',
            'rtx-4090',
            '-b',
            '2048',
            '--json',
          ])
        ).out,
      ),
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
    await expect(serve([llama, '--engine', 'llama.cpp', '--quant', 'Q4_K_M', '--gpu-memory', '24'])).rejects.toThrow(
      /24GiB.* or 24GB/,
    );
  });

  it('a config given without --quant runs as Q4_K_M under llama.cpp, and says so', async () => {
    const r = await serve([llama, '--engine', 'llama.cpp', '--gpu', 'rtx-4090']);
    expect(r.out).toMatch(/weights Q4_K_M/);
    expect(r.out).toMatch(/note: weights Q4_K_M: a model given as a config runs as Q4_K_M/);
  });

  it('--emit ollama pulls hf.co/<repo>:<quant> and states a V cache type it cannot keep', async () => {
    const r = await serve([
      llama,
      '--engine',
      'llama.cpp',
      '--quant',
      'Q4_K_M',
      '--gpu',
      'rtx-4090',
      '-ctk',
      'q8_0',
      '-ctv',
      'f16',
      '--emit',
      'ollama',
    ]);
    expect(r.out).toMatch(/^FROM hf\.co\/meta-llama\/Meta-Llama-3\.1-8B:Q4_K_M\n/);
    expect(r.out).toMatch(/OLLAMA_KV_CACHE_TYPE=q8_0/);
    expect(r.out).toMatch(/K q8_0 and V f16/);
  });

  it('vllm serve carries --quantization awq for an AWQ estimate', async () => {
    const parsed = parseArgs({
      args: [llama, '--engine', 'vllm', '--gpu', 'rtx-4090', '--emit', 'vllm'],
      options: estimateLike,
      allowPositionals: true,
      strict: true,
    });
    const m = await resolveModel(llama, { positionals: [llama], values: {} }, io({ out: '' }));
    const sink = { out: '' };
    runServeEstimate(
      { positionals: parsed.positionals, values: parsed.values },
      io(sink),
      m,
      candidateFormats('vllm', 'awq')[0],
    );
    expect(sink.out).toMatch(/--quantization awq/);
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

  it('fit <file.gguf> uses the file', async () => {
    const path = llamaGguf();
    const argv = [path, '--gpu', 'rtx-4090', '--json'];
    const parsed = parseArgs({ args: argv, options: fitCommand.options, allowPositionals: true, strict: true });
    const sink = { out: '' };
    const code = await fitCommand.run({ positionals: parsed.positionals, values: parsed.values }, io(sink));
    expect(code).toBe(0);
    const out = JSON.parse(sink.out) as { rows: { format: string }[] };
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
    const out = JSON.parse((await serve([llama, '--engine', 'llama.cpp', '--quant', 'Q4_K_M', '--json'])).out);
    expect(ServeOutputSchema.parse(out).binding).toBe('no-gpu');
  });
});
