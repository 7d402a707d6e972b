import { describe, expect, it } from 'vitest';
import { FitOutputSchema, ServeOutputSchema } from './output-schemas.js';
import { cli } from './serve-test-setup.js';

// One name, one format: `F16` to --quant is the plain f16 dtype (every tensor f16); llama.cpp's F16 file
// type (matrices f16, vectors f32) is `ggml:F16` everywhere serving names it — fit, estimate, --emit.
const model = 'meta-llama/Meta-Llama-3.1-8B';
const gpu = ['--gpu', 'h100-80gb'];

describe('llama.cpp format names mean what --quant means', () => {
  it('fit labels the F16 file type ggml:F16, and estimate --quant ggml:F16 has its weight bytes', async () => {
    const fit = FitOutputSchema.parse(JSON.parse((await cli(['fit', model, ...gpu, '--json'])).out));
    const row = fit.rows.find((r) => r.format.endsWith('F16'))!;
    expect(row.format).toBe('ggml:F16');
    const e = ServeOutputSchema.parse(
      JSON.parse(
        (
          await cli([
            'estimate',
            model,
            '--engine',
            'llama.cpp',
            ...gpu,
            '--quant',
            row.format,
            '-ngl',
            '999',
            '--json',
          ])
        ).out,
      ),
    );
    expect(e.format).toBe('ggml:F16');
    // Every matrix f16 (8,030,261,248 parameters × 2 bytes) and the (2 × 32 + 1) × 4096 norm values in f32.
    expect(row.weightBytes).toBe(8_030_261_248 * 2 + 65 * 4096 * 2);
    // On the GPU: all but token_embd (128,256 × 4096 f16), which stays in host RAM.
    expect(e.bytes.weights).toBeLessThan(row.weightBytes);
  });

  it('--quant F16 under llama.cpp is refused with the file type to give instead', async () => {
    const r = await cli(['estimate', model, '--engine', 'llama.cpp', ...gpu, '--quant', 'F16']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/llama\.cpp does not run f16 weights .*its f16 file type is `ggml:F16`/);
  });

  it('--emit pulls the F16 file for ggml:F16 (the tag GGUF repositories use)', async () => {
    const line = (
      await cli(['estimate', model, '--engine', 'llama.cpp', ...gpu, '--quant', 'ggml:F16', '--emit', 'llama-server'])
    ).out;
    expect(line).toMatch(/^llama-server -hf meta-llama\/Meta-Llama-3\.1-8B:F16 /);
  });
});
