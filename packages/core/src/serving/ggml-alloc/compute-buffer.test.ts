import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureArchitecture } from '@vramkit/fixtures';
import { describe, expect, it } from 'vitest';
import { llamaCppArchitecture } from '../llama-cpp.js';
import { computeBufferPlan, reserveParams } from './compute-buffer.js';
import { graphBuilderFor } from './registry.js';

const CATALOGUE = join(dirname(fileURLToPath(import.meta.url)), '../../../../models/catalogue/configs');
const ids = readdirSync(CATALOGUE)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, '').replace('__', '/'));

const settings = [
  { flashAttn: false, typeK: 'f16', typeV: 'f16', nSeqMax: 1 },
  { flashAttn: true, typeK: 'q8_0', typeV: 'q8_0', nSeqMax: 2 },
];

describe('reserve graph of every catalogue model (builders beyond the recorded fixtures)', () => {
  it.each(ids)('%s: planned without error where a builder exists, the logits inside the buffer', (id) => {
    const arch = fixtureArchitecture(id);
    const ggufArch = llamaCppArchitecture(arch);
    for (const s of settings) {
      const c = { ubatch: 512, batch: 2048, nCtx: 4096, cells: 4096 / s.nSeqMax, swaCells: 1024, unified: false, ...s };
      const plan = computeBufferPlan(arch, ggufArch, c);
      if (!graphBuilderFor(ggufArch)) {
        expect(plan).toBeUndefined();
        continue;
      }
      if (!plan) continue; // a layer kind the builder declines (UnsupportedGraphError): the phases apply
      const { nTokens } = reserveParams(c);
      // t_logits (n_vocab × n_tokens f32) is an output: never freed, so always inside the buffer.
      expect(plan.bytes).toBeGreaterThanOrEqual(arch.vocabSize * nTokens * 4);
      expect(Number.isInteger(plan.bytes)).toBe(true);
      expect(plan.peak.reduce((sum, t) => sum + t.bytes, 0)).toBeLessThanOrEqual(plan.bytes);
    }
  });

  it('reserves n_tokens = min(n_ctx, n_ubatch) rounded up to a multiple of n_seq_max, outputs capped before the rounding', () => {
    const p = reserveParams({
      ubatch: 512,
      batch: 2048,
      nCtx: 10752,
      cells: 3584,
      swaCells: 3584,
      nSeqMax: 3,
      unified: false,
      flashAttn: false,
      typeK: 'f16',
      typeV: 'f16',
    });
    // sched_reserve passes n_outputs_pp = min(512, n_outputs_max) before graph_reserve rounds 512 up to 513.
    expect([p.nTokens, p.nOutputs, p.nStream, p.nKv]).toEqual([513, 512, 3, 3584]);
    // So -b 2048 and -b 512 reserve the same graph when n_seq_max does not divide n_ubatch.
    const arch = fixtureArchitecture('meta-llama/Llama-3.2-1B-Instruct');
    const c = { ...p, ubatch: 512, nCtx: 10752, nSeqMax: 3, cells: 3584, swaCells: 3584, unified: false };
    const wide = computeBufferPlan(arch, 'llama', { ...c, batch: 2048 });
    const narrow = computeBufferPlan(arch, 'llama', { ...c, batch: 512 });
    expect(wide?.bytes).toBeDefined();
    expect(wide?.bytes).toBe(narrow?.bytes);
    expect(
      reserveParams({
        ...p,
        ubatch: 512,
        batch: 512,
        nCtx: 256,
        cells: 256,
        swaCells: 256,
        nSeqMax: 1,
        unified: true,
        flashAttn: true,
        typeK: 'f16',
        typeV: 'f16',
      }).nTokens,
    ).toBe(256);
  });
});
