import { describe, expect, it } from 'vitest';
import { MIB } from '../memory/units.js';
import { asStored, fixtureModel, llamaCppFixtures } from './__fixtures__/llama-cpp-fixtures.js';
import { llamaCppMemory } from './llama-cpp.js';

/**
 * Runs whose CPU compute buffer the model misses by more than 5% (not yet explained: phi3's fused
 * gate_up and a term that shrinks with more sequences). Listed here, reported as open work, and
 * checked by the test below so that the list cannot outlive a fix.
 */
const COMPUTE_GAPS = new Set<string>([
  'phi3 -c 5000 -np 1 -ub 512 -fa on -ctk f16 -ctv f16',
  'phi3 -c 5000 -np 1 -ub 512 -fa auto -ctk f16 -ctv f16',
  'phi3 -c 32768 -np 4 -ub 512 -fa auto -ctk f16 -ctv f16',
  'phi3 -c 8192 -np 1 -ub 256 -fa on -ctk q8_0 -ctv q8_0',
  'phi3 -c 4096 -np 2 -ub 512 -fa auto -ctk q4_0 -ctv q4_0',
  'mistral-v0.1 -c 8192 -np 1 -ub 256 -fa on -ctk q8_0 -ctv q8_0',
]);

// Buffers as llama.cpp prints them: MiB with two decimals (model, KV, output).
const mib2 = (bytes: number): string => (bytes / MIB).toFixed(2);

/**
 * llama.cpp's own buffer sizes, recorded by the harness in validation/llama-cpp from the CPU build of
 * node-llama-cpp loading sparse GGUF files with each family's real shapes: KV and model buffers must
 * match to the printed precision, the CPU compute buffer within 5%.
 */
describe.each(llamaCppFixtures())('llama.cpp $id ($ggufArchitecture, $runtime.llamaCpp)', (f) => {
  const model = fixtureModel(f);

  it('model buffer: the mapped file range', () => {
    const r = llamaCppMemory({ model, format: asStored, gpus: [], ctxSize: 4096 });
    expect(mib2(r.host.parts.weights!.bytes)).toBe(f.modelMib.CPU_Mapped);
  });

  for (const rec of f.runs) {
    const { nCtx, nSeqMax, nUbatch, flashAttn, typeK, typeV } = rec.run;
    const options = {
      model,
      format: asStored,
      gpus: [],
      ctxSize: nCtx,
      parallel: nSeqMax,
      batchSize: nUbatch,
      ubatchSize: nUbatch,
      flashAttn,
      cacheTypeK: typeK,
      cacheTypeV: typeV,
    };
    const label = `-c ${nCtx} -np ${nSeqMax} -ub ${nUbatch} -fa ${flashAttn} -ctk ${typeK} -ctv ${typeV}`;
    if (rec.error) {
      it(`${label}: refused (${rec.error})`, () => {
        expect(() => llamaCppMemory(options)).toThrow(rec.error);
      });
      continue;
    }
    it(`${label}: cells, KV, output exact; compute within 5%`, () => {
      const r = llamaCppMemory(options);
      const kv = rec.kv!;
      expect(r.flashAttn).toBe(rec.flashAttn);
      expect(r.kvStreams).toBe(kv[0]!.seqs);
      expect(r.kvCells).toBe(kv[0]!.cells);
      if (kv[1]) expect(r.swaCells).toBe(kv[1].cells);
      else expect(r.swaCells).toBeUndefined();
      const kvBytes = r.host.parts.kvCache!.bytes;
      const expectedKv = kv.reduce((s, k) => s + Number(k.mib), 0);
      // Exact to the printed precision: each cache is printed rounded to 0.01 MiB.
      expect(Math.abs(kvBytes / MIB - expectedKv)).toBeLessThanOrEqual(0.005 * kv.length + 1e-9);
      expect(mib2(r.host.parts.output!.bytes)).toBe(rec.outputMib!.CPU);
      const compute = r.host.parts.activations!.bytes / MIB;
      const measured = Number(rec.computeMib!.CPU);
      if (!COMPUTE_GAPS.has(`${f.id} ${label}`)) expect(Math.abs(compute / measured - 1)).toBeLessThanOrEqual(0.05);
    });
  }
});

describe('CPU compute gaps', () => {
  it('every listed gap is still a gap (remove it from COMPUTE_GAPS once the model is within 5%)', () => {
    const open: string[] = [];
    for (const f of llamaCppFixtures()) {
      const model = fixtureModel(f);
      for (const rec of f.runs) {
        const { nCtx, nSeqMax, nUbatch, flashAttn, typeK, typeV } = rec.run;
        const key = `${f.id} -c ${nCtx} -np ${nSeqMax} -ub ${nUbatch} -fa ${flashAttn} -ctk ${typeK} -ctv ${typeV}`;
        if (!COMPUTE_GAPS.has(key) || rec.error) continue;
        const r = llamaCppMemory({
          model,
          format: asStored,
          gpus: [],
          ctxSize: nCtx,
          parallel: nSeqMax,
          batchSize: nUbatch,
          ubatchSize: nUbatch,
          flashAttn,
          cacheTypeK: typeK,
          cacheTypeV: typeV,
        });
        if (Math.abs(r.host.parts.activations!.bytes / MIB / Number(rec.computeMib!.CPU) - 1) > 0.05) open.push(key);
      }
    }
    expect(open.sort()).toEqual([...COMPUTE_GAPS].sort());
  });
});
