// Prints, per recorded run, vramkit's llama.cpp model against the fixture: KV (with recurrent state) and
// the CPU compute buffer with the tensors live at its peak (simulated) or its phases (fitted). `node validation/llama-cpp/run.mjs validation/llama-cpp/compare.ts [id…]`
import {
  asStored,
  fixtureModel,
  llamaCppFixtures,
} from '../../packages/core/src/serving/__fixtures__/llama-cpp-fixtures.js';
import { llamaCppMemory } from '../../packages/core/src/serving/llama-cpp.js';

const MIB = 1024 * 1024;
const only = process.argv.slice(3);
for (const f of llamaCppFixtures('packages/core/src/serving/__fixtures__/llama-cpp')) {
  if (only.length > 0 && !only.includes(f.id)) continue;
  const model = fixtureModel(f);
  for (const rec of f.runs) {
    const { nCtx, nSeqMax, nUbatch, flashAttn, typeK, typeV } = rec.run;
    const label = `${f.id} -c ${nCtx} -np ${nSeqMax} -ub ${nUbatch} -fa ${flashAttn} -ctk ${typeK} -ctv ${typeV}`;
    const options = { model, format: asStored, gpus: [], ctxSize: nCtx, parallel: nSeqMax, batchSize: nUbatch };
    try {
      const r = llamaCppMemory({ ...options, ubatchSize: nUbatch, flashAttn, cacheTypeK: typeK, cacheTypeV: typeV });
      if (rec.error) {
        console.log(`${label}: llama.cpp refused (${rec.error}), vramkit did not`);
        continue;
      }
      const kv = r.host.parts.kvCache!.bytes / MIB;
      const want = rec.kv!.reduce((s, k) => s + Number(k.mib), 0) + Number(rec.rs?.mib ?? 0);
      const c = r.host.parts.activations!;
      const measured = Number(rec.computeMib!.CPU);
      const p = c.parts!;
      // Simulated (ggml-alloc): the largest tensors live at the peak; fitted: the three phases.
      const detail = p.attention
        ? ['attention', 'mlp', 'output'].map((k) => `${k} ${(p[k]!.bytes / MIB).toFixed(1)}`).join(', ')
        : `peak: ${Object.entries(p)
            .sort(([, a], [, b]) => b.bytes - a.bytes)
            .slice(0, 3)
            .map(([k, x]) => `${k} ${(x.bytes / MIB).toFixed(1)}`)
            .join(', ')}`;
      console.log(
        `${label}: KV ${kv.toFixed(2)} / ${want.toFixed(2)} MiB; compute ${(c.bytes / MIB).toFixed(4)} / ${measured} MiB ` +
          `(${((c.bytes / MIB / measured - 1) * 100).toFixed(2)}%; ${detail})`,
      );
    } catch (e) {
      console.log(
        `${label}: ${rec.error ? 'refused as llama.cpp does' : 'refused, llama.cpp did not'}: ${(e as Error).message}`,
      );
    }
  }
}
