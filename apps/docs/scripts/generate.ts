/**
 * Build-time pages: the accuracy report (from @vramkit/accuracy, the module behind `npm run accuracy`)
 * and the guides' figures, computed by running the library on the repository's recorded data, never
 * typed in by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AccuracyCategory,
  accuracyReport,
  detailTable,
  outsideList,
  percent,
  relativeError,
  SEED_002,
  seed002Model,
  summarize,
  summaryTable,
} from '@vramkit/accuracy';
import {
  countParameters,
  formatCount,
  GIB,
  kvCacheBytes,
  naiveAttentionScoreBytes,
  prepareModel,
  resolveAdapters,
  synthesizeTensors,
  weightBytes,
  zeroModelStateBytes,
} from '@vramkit/core';
import { bnb4bitBytes, llamaFileTypeFormat } from '@vramkit/quant';
import { llama3_8b, llama3_70b } from '../../../packages/core/src/__fixtures__/architectures.js';
import { llama2_7b } from '../../../packages/core/src/training/__fixtures__/architectures.js';

function seed002Table(): string {
  const lines = [
    '| seq_len | d_model | measured forward peak | naive model | error | flash model |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of SEED_002) {
    const n = seed002Model(r.seq, r.d, 'naive');
    lines.push(
      `| ${r.seq} | ${r.d} | ${r.mib.toFixed(1)} MiB | ${n.toFixed(1)} MiB | ${percent(Math.abs(n - r.mib) / r.mib)} | ${seed002Model(r.seq, r.d, 'flash').toFixed(1)} MiB |`,
    );
  }
  const oom = naiveAttentionScoreBytes({ batch: 8, heads: 1, queryTokens: 16384, keyTokens: 16384, scoreBytes: 4 });
  lines.push(
    `| 16384 | any | OOM | ${(oom / GIB).toFixed(0)} GiB in scores + softmax alone | — | ${seed002Model(16384, 16, 'flash').toFixed(1)} MiB |`,
  );
  return lines.join('\n');
}

/** The seeds' wrong figures and the library's corrected ones. */
function seedCorrections(): string {
  const kv8 = kvCacheBytes(llama3_8b, { tokens: 2048, batch: 4, kDtype: 'f16' }).bytes;
  const kv8mha = kvCacheBytes(llama3_8b, { tokens: 2048, batch: 4, kDtype: 'f16', forceMha: true }).bytes;
  const kv8_4k = kvCacheBytes(llama3_8b, { tokens: 4096, batch: 1, kDtype: 'f16' }).bytes;
  const kv70 = kvCacheBytes(llama3_70b, { tokens: 4096, batch: 1, kDtype: 'f16' }).bytes;
  const lora = resolveAdapters(prepareModel(llama2_7b), {
    rank: 16,
    targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  }).trainable;
  const q4 = weightBytes(synthesizeTensors(llama3_8b), llamaFileTypeFormat('Q4_K_M'), {
    arch: llama3_8b,
    numLayers: 32,
  });
  const p8 = countParameters(synthesizeTensors(llama3_8b), llama3_8b).total;
  const zero = ([0, 1, 2, 3] as const).map(
    (stage) =>
      zeroModelStateBytes({
        parameters: 7e9,
        bytesPerParam: { weights: 2, gradients: 2, optimizer: 12 },
        stage,
        gpus: 8,
      }).bytes / 1e9,
  );
  const full = zeroModelStateBytes({
    parameters: 7e9,
    bytesPerParam: { weights: 2, gradients: 2, optimizer: 12 },
    stage: 0,
    gpus: 1,
  });
  const fullParts = ['weights', 'gradients', 'optimizer'].map((k) => ((full.parts?.[k]?.bytes ?? 0) / 1e9).toFixed(0));
  // Double-quantization overhead per weight on a 4096×4096 matrix: (bytes with − bytes of the bare 4-bit data) × 8 / n.
  const n = 4096 * 4096;
  const dq = ((bnb4bitBytes(n, true) - n / 2) * 8) / n;
  const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB (${(b / GIB).toFixed(2)} GiB)`;
  return [
    '| seed | says | vramkit | why |',
    '|---|---|---|---|',
    `| 000 | Llama 3 8B KV cache, B=4, L=2048, fp16: ≈ 4.3 GB | ${gb(kv8)} | The seed's \`2 × layers × hidden × L × B × bytes\` assumes every head has its own K/V (multi-head: ${gb(kv8mha)}). Llama 3 8B uses GQA with 8 KV heads for 32 query heads, so the cache is 4× smaller. |`,
    `| 001 | Llama 3 8B KV at 4096 tokens ≈ 2.0 GB | ${gb(kv8_4k)} | Same MHA assumption; with 8 KV heads it is a quarter. |`,
    `| 001 | Llama 3 8B Q4_K_M weights = 8B × 0.5 B = 4 GB | ${gb(q4.total)} (${((q4.total * 8) / p8).toFixed(2)} bits/weight) | Q4_K_M is a per-tensor mix: Q4_K blocks are 4.5 bits/weight with their scales, and llama.cpp's recipe raises half of attn_v and ffn_down, and the output matrix, to Q6_K (6.56 bits). |`,
    `| 004 | Llama-3-70B KV at 4096 tokens, batch 1: 2.56 GB | ${gb(kv70)} | The seed's own formula gives 1.34 GB in fp16; its table doubles it. |`,
    `| 004 | LoRA r=16 on LLaMA-7B: ≈ 29.4M (918K per layer) | ${formatCount(lora)} | The seed treats every matrix as 4096×4096; the MLP projections are 4096×11008, so the exact count over the seven projections is larger. |`,
    `| 004 | 7B FP16 training: 14 + 14 + 56 GB + activations | ${fullParts.join(' + ')} GB + activations | Mixed-precision Adam keeps fp32 master weights and two fp32 moments: 4 + 4 + 4 = 12 bytes/param of optimizer state, 84 GB for 7B (the seed's own ZeRO table counts 16 B/param in all, i.e. 112 GB). 56 GB is two fp32 moments without the master copy, which no mixed-precision framework does. |`,
    `| 004 | QLoRA double quantization ≈ 0.127 extra bits/param | ${dq.toFixed(4)} bits/param of quantization constants (absmax 8-bit per 64 weights + fp32 per 256 blocks) | Right (QLoRA paper §2: 8/64 + 32/(64·256) = 0.127). |`,
    `| 004 | ZeRO 0–3 per GPU, 7B on 8 GPUs, 16 B/param: 112 / 38.5 / 26.25 / 14 GB | ${zero.map((z) => z.toFixed(2)).join(' / ')} GB | Right: the ZeRO paper's accounting reproduces it. |`,
  ].join('\n');
}

/**
 * Categories with more cases than this are summarized on the page, not listed (the page is prefetched
 * with the calculator, so it counts towards its page weight): their cases outside the target are in
 * the list above, and every case is in `/accuracy.json`.
 */
const LIST_ALL_UP_TO = 30;

/** The accuracy page: the report's summary, the cases outside their targets, then the cases. */
function accuracyPage(categories: AccuracyCategory[]): string {
  const total = categories.reduce((n, c) => n + c.cases.length, 0);
  const outside = outsideList(categories);
  const detail = categories.flatMap((c) => {
    const s = summarize(c);
    const target = c.target === 0 ? 'exact' : `±${percent(c.target)}`;
    const head = `### ${c.name}\n\n${c.cases.length} cases, ${s.exact} exact, median error ${percent(s.median)}, worst ${percent(s.worst)}; target ${target}. Expected figures: ${c.source}.`;
    if (c.cases.length <= LIST_ALL_UP_TO) return [head, '', detailTable(c), ''];
    const inexact = c.cases.filter((x) => relativeError(x) > 0).length;
    return [
      head,
      '',
      `${inexact} of the ${c.cases.length} cases are not exact${s.outside.length ? `, ${s.outside.length} of them outside the target (listed above)` : ''}. Every case, with its source, is in [accuracy.json](/accuracy.json).`,
      '',
    ];
  });
  return [
    `${total} published, measured or recorded figures, each recomputed by the library when this page was built (all of them, with their sources: [accuracy.json](/accuracy.json)).`,
    '',
    summaryTable(categories),
    '',
    ...(outside
      ? ['## Outside the target', '', "Every case outside its category's target, with its cause:", '', outside, '']
      : []),
    '## The cases',
    '',
    ...detail,
  ].join('\n');
}

/**
 * Writes the generated fragments into `out` (included by the pages).
 * @param o.out folder for the fragments; o.public the site's public folder (files served as they are)
 */
export async function generate(o: { out: string; public: string }): Promise<void> {
  mkdirSync(o.out, { recursive: true });
  const categories = accuracyReport();
  writeFileSync(join(o.out, 'accuracy.md'), `${accuracyPage(categories)}\n`);
  writeFileSync(join(o.out, 'seed-002.md'), `${seed002Table()}\n`);
  writeFileSync(join(o.out, 'seed-corrections.md'), `${seedCorrections()}\n`);
  // Served as a file beside the pages (VitePress copies public/ as is).
  mkdirSync(o.public, { recursive: true });
  writeFileSync(join(o.public, 'accuracy.json'), `${JSON.stringify(categories, null, 1)}\n`);
}
