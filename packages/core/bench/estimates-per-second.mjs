// Estimates per second for a prepared model, in plain Node against the build (npm run build first).
// The target is well over 1,000,000/s; the last column is the ratio to that target.
// Usage: node packages/core/bench/estimates-per-second.mjs
import { estimateInference, kvCacheBytes, prepareModel } from '../dist/index.js';

const attention = {
  kind: 'full',
  numHeads: 32,
  numKvHeads: 8,
  headDim: 128,
  vHeadDim: 128,
  qkNorm: 'none',
  qkvBias: false,
  outBias: false,
};
const mlp = { kind: 'dense', gated: true, intermediateSize: 14336, bias: false };
// meta-llama/Meta-Llama-3.1-8B hyper-parameters.
const arch = {
  family: 'llama',
  vocabSize: 128256,
  hiddenSize: 4096,
  tiedEmbeddings: false,
  learnedPositions: 0,
  norm: 'rmsnorm',
  finalNorm: true,
  mtpLayers: 0,
  layers: Array.from({ length: 32 }, () => ({
    attention,
    mlp,
    norms: ['input_layernorm', 'post_attention_layernorm'],
  })),
};
const model = prepareModel(arch);
const TARGET = 1_000_000;

function rate(fn, n = 2_000_000) {
  for (let i = 0; i < 200_000; i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return (n / (performance.now() - t0)) * 1000;
}

const rows = [
  [
    'estimateInference, prepared Llama 3 8B',
    rate((i) => estimateInference({ model, context: (i % 131072) + 1, batch: 1 })),
  ],
  [
    'estimateInference, notes read',
    rate((i) => estimateInference({ model, context: (i % 131072) + 1, batch: 1 }).parts.kvCache.note, 200_000),
  ],
  ['kvCacheBytes alone', rate((i) => kvCacheBytes(arch, { tokens: (i % 131072) + 1, batch: 1 }))],
];
for (const [name, hz] of rows)
  console.log(
    `${name.padEnd(42)} ${Math.round(hz).toLocaleString('en-US').padStart(12)}/s  ${(hz / TARGET).toFixed(2)}× target`,
  );
