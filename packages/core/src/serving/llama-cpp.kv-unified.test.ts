import { describe, expect, it } from 'vitest';
import { MIB } from '../memory/units.js';
import { llamaCppRunLabel, llamaCppRunOptions } from './__fixtures__/llama-cpp-compute-gaps.js';
import { fixtureModel, llamaCppFixtures } from './__fixtures__/llama-cpp-fixtures.js';
import { llamaCppMemory } from './llama-cpp.js';

/**
 * `kvUnified` (llama-server's `--kv-unified`) against recorded runs. node-llama-cpp 3.21.1 cannot record it:
 * its addon (llama/addon/AddonContext.cpp) never sets llama_context_params.kv_unified, which stays at
 * llama_context_default_params' false. llama.cpp's source makes a unified context of n_seq_max N equal,
 * buffer for buffer, to a recorded single-sequence context wherever these hold:
 * - KV: one stream of n_ctx cells either way (src/llama-context.cpp: n_ctx_seq = n_ctx when unified;
 *   src/llama-kv-cache.cpp: n_stream = unified ? 1 : n_seq_max), so cells and bytes are -np 1's;
 * - SWA: size_swa = pad(min(size_base, n_swa × N + n_ubatch)) (src/llama-kv-cache-iswa.cpp), -np 1's
 *   whenever -np 1 already has a full-size SWA cache;
 * - compute: sched_reserve reserves n_tokens = min(n_ctx, n_ubatch) over n_seqs = n_seq_max, rounded up to a
 *   multiple of n_seqs (graph_reserve); with N dividing the ubatch nothing is rounded, and the KQ mask and K/V
 *   views have n_stream = 1 (src/llama-graph.cpp build_attn_inp_kq_mask: kv_unified ? 1 : n_seqs_unq) as
 *   with -np 1; attention-only graphs read n_seqs nowhere else;
 * - output: logits n_vocab × n_seq_max (llama_context::output_reserve(n_seq_max)), a recorded -np N run's.
 * Hybrid models are left out: their recurrent layers read n_seqs, so no recorded run matches.
 */
const FAMILIES = ['llama', 'qwen3', 'gemma3', 'gpt-oss', 'deepseek2', 'llama4'];

const cases = llamaCppFixtures()
  .filter((f) => f.runs.every((r) => !r.rs))
  .flatMap((f) =>
    f.runs.flatMap((rec) => {
      if (rec.error || rec.rs || rec.run.nSeqMax !== 1) return [];
      const kv = rec.kv!;
      if (kv[1] && kv[1].cells !== kv[0]!.cells) return [];
      const ubatch = Math.min(rec.run.nCtx, rec.run.nUbatch);
      return [2, 3, 4].flatMap((np) => {
        if (ubatch % np !== 0) return [];
        const withNp = f.runs.find((r) => r.run.nSeqMax === np && !r.error);
        return [{ f, rec, np, outputMib: withNp?.outputMib?.CPU }];
      });
    }),
  );

describe('llama.cpp kvUnified: a unified context equals recorded runs where the source makes them equal', () => {
  it('covers the dense, MoE, MLA and iSWA families named here, among every attention-only fixture', () => {
    const covered = new Set(cases.map((c) => c.f.id));
    expect(FAMILIES.filter((id) => !covered.has(id))).toEqual([]);
    expect(cases.filter((c) => c.outputMib === undefined).map((c) => c.f.id)).toEqual([]);
  });

  for (const { f, rec, np, outputMib } of cases) {
    const label = `${f.id} ${llamaCppRunLabel(rec.run)} → unified -np ${np}`;
    it(`${label}: one stream of -np 1's cells, KV and compute; -np ${np}'s output`, () => {
      const r = llamaCppMemory({ ...llamaCppRunOptions(fixtureModel(f), rec.run), parallel: np, kvUnified: true });
      const kv = rec.kv!;
      expect(r.kvStreams).toBe(1);
      expect(r.kvCells).toBe(kv[0]!.cells);
      if (kv[1]) expect(r.swaCells).toBe(kv[1].cells);
      const expectedKv = kv.reduce((s, k) => s + Number(k.mib), 0);
      expect(Math.abs(r.host.parts.kvCache!.bytes / MIB - expectedKv)).toBeLessThanOrEqual(0.005 * kv.length + 1e-9);
      // llama.cpp prints the compute buffer to 0.0001 MiB.
      const compute = r.host.parts.activations!.bytes / MIB;
      expect(Math.abs(compute - Number(rec.computeMib!.CPU))).toBeLessThanOrEqual(0.00005 + 1e-9);
      expect((r.host.parts.output!.bytes / MIB).toFixed(2)).toBe(outputMib);
    });
  }
});

describe('llama.cpp kvUnified: the SWA cache holds n_swa × n_seq_max + n_ubatch cells', () => {
  // src/llama-kv-cache-iswa.cpp: size_swa = pad(min(size_base, n_swa × (unified ? n_seq_max : 1) + n_ubatch), 256);
  // each cache's cost per cell is the recorded -np 1 run's (`-c 4096 -ub 512`, both caches f16).
  for (const [id, np, swaCells] of [
    ['gemma3', 4, 2560], // 512 × 4 + 512
    ['gemma3', 2, 1536], // 512 × 2 + 512
    ['gpt-oss', 4, 1024], // 128 × 4 + 512
    ['gpt-oss', 3, 1024], // 128 × 3 + 512 = 896, padded
  ] as const) {
    it(`${id} -c 4096 -ub 512, unified -np ${np}: ${swaCells} SWA cells, KV at the recorded cost per cell`, () => {
      const f = llamaCppFixtures().find((x) => x.id === id)!;
      const rec = f.runs[0]!;
      expect(rec.run).toMatchObject({ nCtx: 4096, nSeqMax: 1, nUbatch: 512, typeK: 'f16', typeV: 'f16' });
      const [full, swa] = rec.kv!;
      const r = llamaCppMemory({ ...llamaCppRunOptions(fixtureModel(f), rec.run), parallel: np, kvUnified: true });
      expect(r.kvCells).toBe(4096);
      expect(r.swaCells).toBe(swaCells);
      const expected = Number(full!.mib) + (Number(swa!.mib) / swa!.cells) * swaCells;
      expect(Math.abs(r.host.parts.kvCache!.bytes / MIB / expected - 1)).toBeLessThanOrEqual(1e-3);
    });
  }
});
