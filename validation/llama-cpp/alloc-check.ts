// Runs core's ggml-alloc simulator on each recorded run's reserve graph and prints its CPU compute buffer
// against the fixture, with the tensors live at the peak (`--peak`). For checking a graph builder:
// `node validation/llama-cpp/run.mjs validation/llama-cpp/alloc-check.ts llama [--peak]`
import { fixtureModel, llamaCppFixtures } from '../../packages/core/src/serving/__fixtures__/llama-cpp-fixtures.js';
import { cpuComputePlan } from '../../packages/core/src/serving/ggml-alloc/compute-buffer.js';
import { llamaCppMemory } from '../../packages/core/src/serving/llama-cpp.js';
import { asStored } from '../../packages/core/src/serving/__fixtures__/llama-cpp-fixtures.js';

const MIB = 1024 * 1024;
const args = process.argv.slice(3);
const showPeak = args.includes('--peak');
const only = args.filter((a) => !a.startsWith('--'));
for (const f of llamaCppFixtures('packages/core/src/serving/__fixtures__/llama-cpp')) {
  if (only.length > 0 && !only.includes(f.id)) continue;
  const model = fixtureModel(f);
  for (const rec of f.runs) {
    if (rec.error) continue;
    const { nCtx, nSeqMax, nUbatch, flashAttn, typeK, typeV } = rec.run;
    const label = `${f.id} -c ${nCtx} -np ${nSeqMax} -ub ${nUbatch} -fa ${flashAttn} -ctk ${typeK} -ctv ${typeV}`;
    const est = llamaCppMemory({
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
    const plan = cpuComputePlan(model.arch, f.ggufArchitecture, {
      ubatch: nUbatch,
      batch: nUbatch,
      nCtx: est.nCtx,
      cells: est.kvCells,
      swaCells: est.swaCells ?? est.kvCells,
      nSeqMax,
      unified: false,
      flashAttn: est.flashAttn,
      typeK,
      typeV,
    });
    if (!plan) {
      console.log(`${label}: no graph builder for ${f.ggufArchitecture}`);
      continue;
    }
    const measured = Number(rec.computeMib!.CPU);
    const got = plan.bytes / MIB;
    console.log(`${label}: ${got.toFixed(4)} / ${measured} MiB (${((got / measured - 1) * 100).toFixed(2)}%)`);
    if (showPeak)
      for (const t of plan.peak)
        console.log(
          `    ${(t.offset / MIB).toFixed(2).padStart(9)} ${(t.bytes / MIB).toFixed(2).padStart(8)} ${t.op} ${t.name}`,
        );
  }
}
