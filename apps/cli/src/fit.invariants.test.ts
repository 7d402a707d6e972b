import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { offlineCli } from './offline-cli.test-helper.js';

// The fit ⇔ estimate invariant end to end (issue #15): `vramkit fit --json` on catalogue models, then
// `vramkit estimate` with exactly its answer — the answer fits, one step more (the next context token,
// one more sequence, one more -ngl layer) does not. In-process, offline (catalogue configs).
const work = mkdtempSync(join(tmpdir(), 'vramkit-fit-invariant-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = offlineCli(work);

async function cli(argv: readonly string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const { code, out, err } = await run(argv);
  if (!out.startsWith('{')) throw new Error(`vramkit ${argv.join(' ')} exited ${code}: ${err}${out}`);
  return { code, json: JSON.parse(out) as Record<string, unknown> };
}

interface FitRow {
  format: string;
  maxContext: number;
  maxContextBinding: string;
  maxBatch: Record<string, number>;
  gpuLayers?: number;
  totalLayers?: number;
}

const cases: [model: string, engine: string, gpuMemory: string][] = [
  ['meta-llama/Llama-3.2-1B-Instruct', 'llama.cpp', '3GiB'],
  ['meta-llama/Llama-3.2-1B-Instruct', 'vllm', '8GiB'],
  ['meta-llama/Llama-3.2-1B-Instruct', 'transformers', '6GiB'],
  ['google/gemma-2-2b', 'llama.cpp', '4GiB'],
  ['Qwen/Qwen3-30B-A3B', 'llama.cpp', '16GiB'],
  ['Qwen/Qwen2.5-1.5B', 'vllm', '12GiB'],
  ['Qwen/Qwen3-0.6B', 'transformers', '4GiB'],
];

describe('vramkit fit ⇔ vramkit estimate on catalogue models (issue #15)', () => {
  it.each(cases)(
    '%s on %s, %s: every answer fits and one step more does not',
    { timeout: 120_000 },
    async (model, engine, mem) => {
      const common = ['--engine', engine, '--gpu-memory', mem, '--json'];
      const fit = await cli(['fit', model, ...common]);
      const rows = fit.json.rows as FitRow[];
      expect(rows.length).toBeGreaterThan(0);
      const fits = async (format: string, context: number, batch: number, extra: string[] = []) => {
        // llama.cpp's own flags: -c is the total of cells that -np sequences share, -b a batch of tokens.
        const workload =
          engine === 'llama.cpp'
            ? ['--context', String(context * batch), '--parallel', String(batch)]
            : ['--context', String(context), '--batch', String(batch)];
        // fit's context and batch columns keep every layer on the GPU; estimate without -ngl would choose it.
        const all = engine === 'llama.cpp' && extra.length === 0 ? ['--n-gpu-layers', '999'] : [];
        const e = await cli(['estimate', model, ...common, '--quant', format, ...workload, ...all, ...extra]);
        expect((e.json.bytes as { weights: number }).weights, `${format} weights`).toBeGreaterThan(0);
        return e.json.fits as boolean;
      };
      let checked = 0;
      for (const row of rows.slice(0, 3)) {
        if (row.maxContext > 0) {
          expect(await fits(row.format, row.maxContext, 1), `${row.format} at ${row.maxContext}`).toBe(true);
          if (row.maxContextBinding !== 'model-context')
            expect(await fits(row.format, row.maxContext + 1, 1), `${row.format} at ${row.maxContext + 1}`).toBe(false);
          checked++;
        }
        for (const [c, b] of Object.entries(row.maxBatch)) {
          if (b === 0) continue;
          expect(await fits(row.format, Number(c), b), `${row.format} ${b} × ${c}`).toBe(true);
          if (b < 256) expect(await fits(row.format, Number(c), b + 1), `${row.format} ${b + 1} × ${c}`).toBe(false);
          checked++;
        }
        if (row.gpuLayers !== undefined && row.totalLayers !== undefined) {
          const ngl = (n: number) => fits(row.format, 4096, 1, ['--n-gpu-layers', String(n)]);
          if (row.gpuLayers > 0) expect(await ngl(row.gpuLayers), `${row.format} -ngl ${row.gpuLayers}`).toBe(true);
          if (row.gpuLayers < row.totalLayers)
            expect(await ngl(row.gpuLayers + 1), `${row.format} -ngl ${row.gpuLayers + 1} of ${row.totalLayers}`).toBe(
              false,
            );
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    },
  );
});
