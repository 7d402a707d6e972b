// estimateInference throughput, against the build (npm run build first). Two ratios:
//  1. estimates per second on a prepared model, over the target of 2,000,000/s;
//  2. a 10,000-point sweep (weight format × context × batch) on one model, in units of one
//     prepareModel of that model (target: under 100×), i.e. a sweep costs less than 100 preparations.
// Times are this process's CPU time (process.cpuUsage), so other work on a shared machine does not
// count against it; wall time is printed beside it. Usage: node bench/throughput.mjs
import { estimateInference, prepareModel } from '@vramkit/core';
import { catalogueModel } from '@vramkit/models';
import { builtinFormats, createFormatRegistry } from '@vramkit/quant';

const RATE_TARGET = 2_000_000;
const SWEEP_TARGET = 100;
const MODEL = 'meta-llama/Llama-3.1-8B';

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
function timed(fn) {
  const c0 = cpuMs();
  const w0 = performance.now();
  const result = fn();
  return { cpu: cpuMs() - c0, wall: performance.now() - w0, result };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

const { architecture } = catalogueModel(MODEL);
const model = prepareModel(architecture);

// 1. Estimates per second: contexts vary so nothing is memoized per call; the sink keeps the result live.
let sink = 0;
const N = 1_000_000;
const loop = () => {
  for (let i = 0; i < N; i++) sink += estimateInference({ model, context: (i & 131071) + 1, batch: 1 }).total;
};
loop(); // warm up: let the JIT optimize before measuring
const rates = Array.from({ length: 5 }, () => timed(loop)).map((t) => ({
  cpu: (N / t.cpu) * 1000,
  wall: (N / t.wall) * 1000,
}));
const rate = median(rates.map((r) => r.cpu));
const wallRate = median(rates.map((r) => r.wall));

// 2. The sweep: every built-in format that can store this model × 25 contexts × 40 batches = 10,000 points
// (formats are cut to the first 10 that apply), each a full estimate; against one preparation.
const registry = createFormatRegistry(builtinFormats);
const formats = [];
for (const id of ['bf16', 'f16', 'Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q4_0', 'Q3_K_M', 'Q2_K', 'IQ4_XS'])
  formats.push(registry.get(id));
const contexts = Array.from({ length: 25 }, (_, i) => 512 * (i + 1) * 5);
const batches = Array.from({ length: 40 }, (_, i) => i + 1);
const points = formats.length * contexts.length * batches.length;
const sweep = () => {
  // A fresh preparation per sweep: the sweep pays for each format's per-tensor bytes once.
  const m = prepareModel(architecture);
  let fits = 0;
  for (const format of formats)
    for (const context of contexts)
      for (const batch of batches)
        if (estimateInference({ model: m, format, context, batch }).total < 80 * 2 ** 30) fits += 1;
  return fits;
};
const prepare = () => prepareModel(structuredClone(architecture));
for (let i = 0; i < 20; i++) prepare();
sweep();
const prepTimes = Array.from({ length: 41 }, () => timed(prepare));
const sweepTimes = Array.from({ length: 7 }, () => timed(sweep));
const prepMs = median(prepTimes.map((t) => t.cpu));
const sweepMs = median(sweepTimes.map((t) => t.cpu));
const sweepRatio = sweepMs / prepMs;

const verdict = (ok) => (ok ? 'met' : 'NOT met');
console.log(`estimateInference throughput (${MODEL}, CPU time; median of runs)`);
console.log(
  `  prepared model:  ${fmt(rate).padStart(11)} estimates/s (wall ${fmt(wallRate)}/s)  ${(rate / RATE_TARGET).toFixed(2)}× the 2,000,000/s target: ${verdict(rate >= RATE_TARGET)}`,
);
console.log(
  `  sweep of ${fmt(points)} points (${formats.length} formats × ${contexts.length} contexts × ${batches.length} batches): ${sweepMs.toFixed(2)} ms`,
);
console.log(
  `  one prepareModel: ${prepMs.toFixed(3)} ms;  sweep = ${sweepRatio.toFixed(1)}× one preparation (target < ${SWEEP_TARGET}×): ${verdict(sweepRatio < SWEEP_TARGET)}`,
);
if (sink === 0) console.log('(sink)');
