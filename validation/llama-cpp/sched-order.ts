// Compares a graph builder's node list with the one llama.cpp schedules: loads one family (first layers
// only) with GGML_SCHED_DEBUG=2, which makes ggml-backend.cpp (ggml_backend_sched_print_assignments) print
// every non-view node of the reserve graph with its op and size, and prints both lists side by side up to
// the first difference. `node validation/llama-cpp/run.mjs validation/llama-cpp/sched-order.ts qwen3 [layers] [grid index]`
import { readFileSync } from 'node:fs';
import { computeBufferPlan, reserveParams } from '../../packages/core/src/serving/ggml-alloc/compute-buffer.js';
import { graphBuilderFor } from '../../packages/core/src/serving/ggml-alloc/registry.js';
import { tensorNbytes } from '../../packages/core/src/serving/ggml-alloc/graph.js';
import { FAMILIES, GRID } from './families.js';
import { measureFamily } from './fixture.js';
import { loadRuntime } from './runtime.js';

const [id = 'qwen3', layersArg = '2', gridArg = '0'] = process.argv.slice(3);
const family = FAMILIES.find((f) => f.id === id);
if (!family) throw new Error(`no family ${id}; one of ${FAMILIES.map((f) => f.id).join(', ')}`);
const run = GRID[Number(gridArg)]!;
// Read by ggml_backend_sched_new when the context is created.
process.env.GGML_SCHED_DEBUG = '2';
const config = JSON.parse(readFileSync(`packages/models/catalogue/configs/${family.config}.json`, 'utf8'));
const f = await measureFamily({ ...family, layers: Number(layersArg) }, config, [run]);
const rec = f.runs[0]!;
const { lines } = await loadRuntime();

// Every scheduled graph is printed (fused-op probes, pp, tg, pp again): split the dumps at their first
// split header and keep the first whose size matches the builder's (the pp reserve graph).
const dumps: { op: string; name: string; size: string }[][] = [];
for (const l of lines) {
  if (l.includes('## SPLIT #0')) dumps.push([]);
  // node #%3d (%10.10s): %20.20s (%5.5s): fixed widths, and names may hold parentheses.
  const m = /node #\s*\d+ \((.{10})\): (.{20}) \((.{5})\)/.exec(l);
  if (m && dumps.length > 0) dumps.at(-1)!.push({ op: m[1]!.trim(), name: m[2]!.trim(), size: m[3]!.trim() });
}

// ggml_op_desc prints the unary or GLU op's own name for UNARY and GLU nodes.
const GLU = new Set(['SWIGLU', 'GEGLU', 'REGLU', 'SWIGLU_OAI', 'GEGLU_ERF', 'GEGLU_QUICK']);
const UNARY = new Set([
  'SILU',
  'GELU',
  'TANH',
  'RELU',
  'SIGMOID',
  'EXP',
  'GELU_QUICK',
  'GELU_ERF',
  'SOFTPLUS',
  'NEG',
  'ABS',
]);
const opClass = (op: string) => (GLU.has(op) ? 'GLU' : UNARY.has(op) ? 'UNARY' : op);
// fmt_size in ggml-backend.cpp: whole MiB above 1 MiB, else whole KiB.
const fmt = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Math.floor(bytes / 1024 / 1024)}M` : `${Math.floor(bytes / 1024)}K`;

const build = graphBuilderFor(f.ggufArchitecture);
if (!build) throw new Error(`no graph builder for ${f.ggufArchitecture}`);
const inputs = {
  ubatch: run.nUbatch,
  batch: run.nUbatch,
  nCtx: rec.nCtx!,
  cells: rec.kv![0]!.cells,
  swaCells: rec.kv![1]?.cells ?? rec.kv![0]!.cells,
  nSeqMax: run.nSeqMax,
  unified: false,
  flashAttn: rec.flashAttn!,
  typeK: run.typeK,
  typeV: run.typeV,
};
const ours = build(f.architecture, reserveParams(inputs))
  .nodes.filter((t) => !['RESHAPE', 'VIEW', 'PERMUTE', 'TRANSPOSE'].includes(t.op))
  .map((t) => ({ op: t.op, name: t.name, size: fmt(tensorNbytes(t)) }));

const theirs = dumps.find((d) => d.length === ours.length && d[0]?.size === ours[0]?.size) ?? dumps.at(-1) ?? [];
let first = -1;
for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
  const a = ours[i];
  const b = theirs[i];
  // The op is printed in 10 characters (FLASH_ATTN_EXT as FLASH_ATTN).
  if (!a || !b || a.op.slice(0, 10) !== opClass(b.op) || a.size !== b.size) {
    first = i;
    break;
  }
}
console.log(
  `${f.id} (${f.layers} layers) ${JSON.stringify(run)}: llama.cpp ${theirs.length} nodes, builder ${ours.length}`,
);
const plan = computeBufferPlan(f.architecture, f.ggufArchitecture, inputs);
console.log(
  `compute: llama.cpp ${rec.computeMib?.CPU} MiB, simulated ${((plan?.bytes ?? 0) / 1024 / 1024).toFixed(4)} MiB`,
);
if (first < 0) console.log('node lists agree (op and size of every non-view node, in order)');
else
  for (let i = Math.max(0, first - 3); i < Math.min(first + 6, Math.max(ours.length, theirs.length)); i++) {
    const a = ours[i];
    const b = theirs[i];
    console.log(
      `${i === first ? '>' : ' '} ${String(i).padStart(4)}  ${`${a?.op ?? '-'} ${a?.size ?? ''} ${a?.name ?? ''}`.padEnd(48)} ${b?.op ?? '-'} ${b?.size ?? ''} ${b?.name ?? ''}`,
    );
  }
