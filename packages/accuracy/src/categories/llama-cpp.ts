import { kvCacheBytes, llamaCppMemory, MIB } from '@vramkit/core';
import {
  openLlama7bV2,
  phi3Medium128k,
  pythia1_4b,
  pythia2_8b,
} from '../../../core/src/serving/__fixtures__/architectures.js';
import {
  asStored,
  fixtureModel,
  type LlamaCppFixture,
  llamaCppFixtures,
} from '../../../core/src/serving/__fixtures__/llama-cpp-fixtures.js';
import {
  COMPUTE_GAPS,
  llamaCppRunLabel,
  llamaCppRunOptions,
} from '../../../core/src/serving/__fixtures__/llama-cpp-compute-gaps.js';
import { runtimeLogs } from '../../../core/src/serving/__fixtures__/runtime-logs.js';
import type { AccuracyCase, AccuracyCategory } from '../report.js';

/** One context a fixture records (the harness's record type, read off the fixture's). */
type FixtureRun = LlamaCppFixture['runs'][number];

// llama.cpp prints its buffers in MiB with two decimals: an answer within half a unit of the last
// digit of each printed figure is exact.
const PRINTED = 0.005;

const label = llamaCppRunLabel;

const run = (model: ReturnType<typeof fixtureModel>, r: FixtureRun['run']) =>
  llamaCppMemory(llamaCppRunOptions(model, r));

const harnessSource = (f: LlamaCppFixture) =>
  `llama.cpp ${f.runtime.llamaCpp} (node-llama-cpp ${f.runtime.nodeLlamaCpp}, ${f.runtime.backend}) harness, validation/llama-cpp`;

/** Every harness fixture (packages/core/src/serving/__fixtures__/llama-cpp/*.json), read generically. */
function harness(): { buffers: AccuracyCase[]; compute: AccuracyCase[] } {
  const buffers: AccuracyCase[] = [];
  const compute: AccuracyCase[] = [];
  for (const f of llamaCppFixtures()) {
    const model = fixtureModel(f);
    const source = harnessSource(f);
    const mapped = llamaCppMemory({ model, format: asStored, gpus: [], ctxSize: 4096 });
    buffers.push({
      id: `${f.id} model buffer (CPU_Mapped)`,
      expected: Number(f.modelMib.CPU_Mapped),
      actual: mapped.host.parts.weights!.bytes / MIB,
      unit: 'MiB',
      resolution: PRINTED,
      source,
    });
    for (const rec of f.runs) {
      // Refusals are held by core's fixture test (the same error); they carry no figure.
      if (rec.error || !rec.kv) continue;
      const r = run(model, rec.run);
      const id = `${f.id} ${label(rec.run)}`;
      // KV caches plus, for a hybrid model, its recurrent state (llama_memory_recurrent), each printed.
      const rs = (rec as { rs?: { mib: string } }).rs;
      buffers.push({
        id: `${id} KV${rs ? ' + recurrent state' : ''}`,
        expected: rec.kv.reduce((s, k) => s + Number(k.mib), 0) + Number(rs?.mib ?? 0),
        actual: r.host.parts.kvCache!.bytes / MIB,
        unit: 'MiB',
        resolution: PRINTED * (rec.kv.length + (rs ? 1 : 0)),
        source,
      });
      if (rec.outputMib?.CPU !== undefined)
        buffers.push({
          id: `${id} output`,
          expected: Number(rec.outputMib.CPU),
          actual: r.host.parts.output!.bytes / MIB,
          unit: 'MiB',
          resolution: PRINTED,
          source,
        });
      if (rec.computeMib?.CPU !== undefined) {
        const c: AccuracyCase = {
          id,
          expected: Number(rec.computeMib.CPU),
          actual: r.host.parts.activations!.bytes / MIB,
          unit: 'MiB',
          resolution: PRINTED,
          source,
        };
        // The causes of core's gap table (its fixture test holds the table to exactly the runs outside 5%).
        const cause = COMPUTE_GAPS.get(id);
        compute.push(cause ? { ...c, cause } : c);
      }
    }
  }
  return { buffers, compute };
}

type LoggedRun = {
  model: string;
  quant: string;
  source?: string;
  settings: { n_ctx?: number; cache_type_k?: string };
  figures: { kv_self_size_MiB?: number; kv_buffer_MiB?: { CUDA0?: number } };
};

/** KV caches llama.cpp logged in its CI and issues (shared runtime_logs.json), at the same n_ctx and cache type. */
function logged(): AccuracyCase[] {
  const archs: Record<string, Parameters<typeof kvCacheBytes>[0]> = {
    'EleutherAI/pythia-1.4b': pythia1_4b,
    'EleutherAI/pythia-2.8b': pythia2_8b,
    'openlm-research/open_llama_7b_v2': openLlama7bV2,
    'microsoft/Phi-3-medium-128k-instruct': phi3Medium128k,
  };
  const out: AccuracyCase[] = [];
  for (const r of runtimeLogs.llama_cpp as unknown as LoggedRun[]) {
    const arch = archs[r.model];
    const mib = r.figures.kv_self_size_MiB ?? r.figures.kv_buffer_MiB?.CUDA0;
    if (!arch || mib === undefined || !r.settings.n_ctx) continue;
    const k = r.settings.cache_type_k ?? 'f16';
    out.push({
      id: `${r.model} ${r.quant} n_ctx ${r.settings.n_ctx} ${k} KV (logged)`,
      expected: mib,
      actual: kvCacheBytes(arch, { tokens: r.settings.n_ctx, batch: 1, kDtype: k }).bytes / MIB,
      unit: 'MiB',
      resolution: PRINTED,
      source: r.source ?? 'llama.cpp log (shared runtime_logs.json)',
    });
  }
  return out;
}

/** llama.cpp's model, KV and output buffers (exact to the printed precision) and its CPU compute buffer (±5%). */
export function llamaCpp(): AccuracyCategory[] {
  const h = harness();
  return [
    {
      key: 'llama-cpp-buffers',
      name: 'llama.cpp buffers (model, KV, output)',
      target: 0,
      source: 'llama.cpp harness fixtures (validation/llama-cpp) and logged KV caches (runtime_logs.json)',
      cases: [...h.buffers, ...logged()],
    },
    {
      key: 'llama-cpp-compute',
      name: 'llama.cpp compute buffer (CPU)',
      target: 0.05,
      source: 'llama.cpp harness fixtures (validation/llama-cpp)',
      cases: h.compute,
    },
  ];
}
