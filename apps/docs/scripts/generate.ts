/**
 * Build-time pages: the accuracy table and the guides' figures, computed by running the library on
 * the repository's recorded data (packages' `__fixtures__`), never typed in by hand.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  countParameters,
  formatCount,
  GIB,
  inferenceActivationBytes,
  kvCacheBytes,
  MIB,
  naiveAttentionScoreBytes,
  peftPrintedCounts,
  prepareModel,
  resolveAdapters,
  synthesizeTensors,
  weightBytes,
  zeroModelStateBytes,
} from '@vramkit/core';
import { catalogueModel, findInCatalogue, normalizeConfig } from '@vramkit/models';
import { bnb4bitBytes, llamaFileTypeFormat } from '@vramkit/quant';
import { llama3_8b, llama3_70b, singleHeadAttention } from '../../../packages/core/src/__fixtures__/architectures.js';
import {
  openLlama7bV2,
  phi3Medium128k,
  pythia1_4b,
  pythia2_8b,
} from '../../../packages/core/src/serving/__fixtures__/architectures.js';
import { runtimeLogs } from '../../../packages/core/src/serving/__fixtures__/runtime-logs.js';
import { llama2_7b } from '../../../packages/core/src/training/__fixtures__/architectures.js';

/** One compared figure. */
interface Case {
  what: string;
  published: number;
  predicted: number;
  unit: string;
  source: string;
}

interface Category {
  name: string;
  /** What "exact" means for the category. */
  target: string;
  cases: Case[];
}

const readJson = <T>(root: string, path: string): T => JSON.parse(readFileSync(join(root, path), 'utf8')) as T;
const relError = (c: Case) =>
  c.published === 0 ? (c.predicted === 0 ? 0 : 1) : Math.abs(c.predicted - c.published) / Math.abs(c.published);
const pct = (x: number) => `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 2)}%`;
const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\{\{/g, '{ {');
const num = (x: number, unit: string) =>
  unit === 'count' ? formatCount(x) : `${x.toFixed(unit === 'MiB' ? 1 : 3)} ${unit}`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Parameter counts: every exact record of params.json whose config the catalogue or the fixtures hold. */
function parameterCases(root: string): Case[] {
  const records = readJson<
    { model: string; params: number | null; params_exact: boolean; source: string; params_non_embedding?: number }[]
  >(root, 'packages/models/src/__fixtures__/params.json');
  const configDir = join(root, 'packages/fixtures/configs');
  const fixtureConfigs = new Map(
    readdirSync(configDir)
      .filter((f) => f.endsWith('.json') && f !== 'SOURCES.json')
      .map((f) => [f.replace('.json', '').replace('__', '/').toLowerCase(), join(configDir, f)]),
  );
  const out: Case[] = [];
  for (const r of records) {
    if (!r.params_exact || r.params === null) continue;
    // Seed 003 has its own category below.
    if (r.model.startsWith('seed-003')) continue;
    let arch: ReturnType<typeof normalizeConfig>['architecture'];
    if (findInCatalogue(r.model)) arch = catalogueModel(r.model).architecture;
    else {
      const file =
        fixtureConfigs.get(r.model.toLowerCase()) ??
        fixtureConfigs.get(r.model.toLowerCase().replace('llama-3.1', 'meta-llama-3.1'));
      if (!file) continue;
      arch = normalizeConfig(JSON.parse(readFileSync(file, 'utf8'))).architecture;
    }
    out.push({
      what: r.model,
      published: r.params,
      predicted: countParameters(synthesizeTensors(arch), arch).total,
      unit: 'count',
      source: r.source,
    });
  }
  return out;
}

/** Seed 003's measured per-part counts, from core's synthesis of its config. */
function seed003Cases(root: string): Case[] {
  const config = readJson<Record<string, unknown>>(root, 'packages/fixtures/configs/seed-003__qwen3-8b-mha.json');
  const arch = normalizeConfig(config).architecture;
  const p = countParameters(synthesizeTensors(arch), arch);
  const src = 'seed 003 (measured)';
  return [
    { what: 'seed-003 total', published: 7_721_988_096, predicted: p.total, unit: 'count', source: src },
    {
      what: 'seed-003 embedding',
      published: 622_854_144,
      predicted: p.parts.embedding ?? 0,
      unit: 'count',
      source: src,
    },
    { what: 'seed-003 lm_head', published: 622_854_144, predicted: p.parts.lmHead ?? 0, unit: 'count', source: src },
    {
      what: 'seed-003 attention per layer (+ q/k norms)',
      published: 67_108_864 + 256,
      predicted: (p.parts.attention ?? 0) / 32,
      unit: 'count',
      source: src,
    },
    {
      what: 'seed-003 MLP per layer',
      published: 135_266_304,
      predicted: (p.parts.mlp ?? 0) / 32,
      unit: 'count',
      source: src,
    },
  ];
}

/** llama.cpp's quantize README sizes for Llama-3.1-8B, predicted from config.json by each file type's recipe. */
function ggufCases(root: string): Case[] {
  const sizes = readJson<{ model: string; quant: string; bytes_or_GB_as_stated: string; source: string }[]>(
    root,
    'packages/quant/src/__fixtures__/gguf_sizes.json',
  );
  const arch = catalogueModel('meta-llama/Llama-3.1-8B').architecture;
  const tensors = synthesizeTensors(arch);
  const ctx = { arch, numLayers: arch.layers.length };
  return sizes
    .filter((s) => s.model === 'meta-llama/Llama-3.1-8B' && s.bytes_or_GB_as_stated.endsWith('GiB'))
    .map((s) => ({
      what: `Llama-3.1-8B ${s.quant}`,
      published: Number.parseFloat(s.bytes_or_GB_as_stated),
      predicted: weightBytes(tensors, llamaFileTypeFormat(s.quant), ctx).total / GIB,
      unit: 'GiB',
      source: s.source,
    }));
}

/** peft's printed trainable counts for the decoder models whose architecture the catalogue holds. */
function loraCases(root: string): Case[] {
  const { records } = readJson<{
    records: {
      model: string;
      r: number;
      target_modules: string | string[] | null;
      trainable: number;
      quantization: string;
      modules_to_save: unknown;
      task_type: string;
      method: string;
      source: string;
    }[];
  }>(root, 'packages/core/src/training/__fixtures__/lora_counts.json');
  const out: Case[] = [];
  for (const rec of records) {
    if (rec.task_type !== 'CAUSAL_LM' || rec.modules_to_save || rec.method !== 'lora' || !findInCatalogue(rec.model))
      continue;
    const targets =
      rec.target_modules === 'default' || rec.target_modules === null
        ? 'default'
        : rec.target_modules === 'all-linear'
          ? 'all-linear'
          : (rec.target_modules as string[]);
    const model = prepareModel(catalogueModel(rec.model).architecture);
    try {
      const plan = resolveAdapters(model, { rank: rec.r, targets });
      out.push({
        what: `${rec.model} r=${rec.r}`,
        published: rec.trainable,
        predicted: peftPrintedCounts(model, plan).trainable,
        unit: 'count',
        source: rec.source,
      });
    } catch {
      // A record naming modules this architecture does not have is not comparable; the unit tests list those.
    }
  }
  return out;
}

/** Seed 002's naive-attention forward peaks (batch 8, fp32), by core's activation model. */
const SEED_002 = [
  { seq: 256, d: 16, mib: 20.9 },
  { seq: 1024, d: 16, mib: 82.8 },
  { seq: 4096, d: 16, mib: 1050.6 },
  { seq: 8192, d: 16, mib: 4133.0 },
  { seq: 256, d: 32, mib: 21.5 },
  { seq: 1024, d: 32, mib: 85.3 },
  { seq: 4096, d: 32, mib: 1060.6 },
  { seq: 8192, d: 32, mib: 4153.0 },
  { seq: 256, d: 64, mib: 22.8 },
  { seq: 1024, d: 64, mib: 90.3 },
  { seq: 4096, d: 64, mib: 1080.6 },
  { seq: 8192, d: 64, mib: 4193.0 },
  { seq: 256, d: 128, mib: 25.3 },
  { seq: 1024, d: 128, mib: 100.3 },
  { seq: 4096, d: 128, mib: 1120.6 },
  { seq: 8192, d: 128, mib: 4273.0 },
];
const seed002 = (seq: number, d: number, attention: 'naive' | 'flash') =>
  inferenceActivationBytes(singleHeadAttention(d), {
    chunkTokens: seq,
    batch: 8,
    activationBytes: 4,
    attention,
    logits: 'none',
  }).bytes / MIB;

function activationCases(): Case[] {
  return SEED_002.filter((r) => r.seq >= 4096).map((r) => ({
    what: `naive attention seq ${r.seq}, d_model ${r.d}`,
    published: r.mib,
    predicted: seed002(r.seq, r.d, 'naive'),
    unit: 'MiB',
    source: 'seed 002 (measured, torch.cuda.max_memory_allocated)',
  }));
}

/** llama.cpp's logged KV cache size (llama.cpp CI and issue logs) against core's per-layer KV formula at the same n_ctx and cache type. */
function kvCases(): Case[] {
  const archs: Record<string, Parameters<typeof kvCacheBytes>[0]> = {
    'EleutherAI/pythia-1.4b': pythia1_4b,
    'EleutherAI/pythia-2.8b': pythia2_8b,
    'openlm-research/open_llama_7b_v2': openLlama7bV2,
    'microsoft/Phi-3-medium-128k-instruct': phi3Medium128k,
  };
  const out: Case[] = [];
  for (const r of runtimeLogs.llama_cpp as unknown as {
    model: string;
    quant: string;
    source?: string;
    settings: { n_ctx?: number; cache_type_k?: string };
    figures: { kv_self_size_MiB?: number; kv_buffer_MiB?: { CUDA0?: number } };
  }[]) {
    const arch = archs[r.model];
    const mib = r.figures.kv_self_size_MiB ?? r.figures.kv_buffer_MiB?.CUDA0;
    if (!arch || mib === undefined || !r.settings.n_ctx) continue;
    const k = r.settings.cache_type_k ?? 'f16';
    out.push({
      what: `${r.model} ${r.quant}, n_ctx ${r.settings.n_ctx}, ${k}`,
      published: mib,
      predicted: kvCacheBytes(arch, { tokens: r.settings.n_ctx, batch: 1, kDtype: k }).bytes / MIB,
      unit: 'MiB',
      source: r.source ?? 'llama.cpp log (shared runtime_logs.json)',
    });
  }
  return out;
}

function categoryTable(categories: Category[]): string {
  const lines = ['| category | target | cases | exact | median error | worst error |', '|---|---|---:|---:|---:|---:|'];
  for (const c of categories) {
    const errs = c.cases.map(relError);
    const exact = c.cases.filter((x) => x.predicted === x.published).length;
    lines.push(
      `| ${c.name} | ${c.target} | ${c.cases.length} | ${exact} | ${pct(median(errs))} | ${pct(Math.max(0, ...errs))} |`,
    );
  }
  return lines.join('\n');
}

function detail(c: Category): string {
  const lines = [`### ${c.name}`, '', '| case | published | vramkit | error | source |', '|---|---:|---:|---:|---|'];
  for (const x of c.cases) {
    const src = /^https?:\/\//.test(x.source) ? `[link](${x.source})` : esc(x.source);
    lines.push(
      `| ${esc(x.what)} | ${num(x.published, x.unit)} | ${num(x.predicted, x.unit)} | ${x.predicted === x.published ? 'exact' : pct(relError(x))} | ${src} |`,
    );
  }
  return lines.join('\n');
}

function seed002Table(): string {
  const lines = [
    '| seq_len | d_model | measured forward peak | naive model | error | flash model |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of SEED_002) {
    const n = seed002(r.seq, r.d, 'naive');
    lines.push(
      `| ${r.seq} | ${r.d} | ${r.mib.toFixed(1)} MiB | ${n.toFixed(1)} MiB | ${pct(Math.abs(n - r.mib) / r.mib)} | ${seed002(r.seq, r.d, 'flash').toFixed(1)} MiB |`,
    );
  }
  const oom = naiveAttentionScoreBytes({ batch: 8, heads: 1, queryTokens: 16384, keyTokens: 16384, scoreBytes: 4 });
  lines.push(
    `| 16384 | any | OOM | ${(oom / GIB).toFixed(0)} GiB in scores + softmax alone | — | ${seed002(16384, 16, 'flash').toFixed(1)} MiB |`,
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
 * Writes the generated fragments into `out` (included by the pages).
 * @param o.root repository root; o.out folder for the fragments
 */
export async function generate(o: { root: string; out: string }): Promise<void> {
  mkdirSync(o.out, { recursive: true });
  const categories: Category[] = [
    {
      name: 'Parameter counts',
      target: 'exact (safetensors header totals)',
      cases: [...parameterCases(o.root), ...seed003Cases(o.root)],
    },
    { name: 'GGUF weight bytes from config.json', target: "within 1% of llama.cpp's size", cases: ggufCases(o.root) },
    { name: 'llama.cpp KV cache (logged)', target: 'exact (llama.cpp log, MiB)', cases: kvCases() },
    { name: 'LoRA trainable parameters', target: 'exact (peft print_trainable_parameters)', cases: loraCases(o.root) },
    { name: 'Naive-attention activations (seed 002)', target: "within 10% of torch's peak", cases: activationCases() },
  ];
  const total = categories.reduce((n, c) => n + c.cases.length, 0);
  writeFileSync(
    join(o.out, 'accuracy.md'),
    [
      `${total} published or measured figures, each recomputed by the library when this page was built.`,
      '',
      categoryTable(categories),
      '',
      ...categories.map(detail).flatMap((d) => [d, '']),
    ].join('\n'),
  );
  writeFileSync(join(o.out, 'seed-002.md'), `${seed002Table()}\n`);
  writeFileSync(join(o.out, 'seed-corrections.md'), `${seedCorrections()}\n`);
  writeFileSync(join(o.out, 'accuracy.json'), `${JSON.stringify(categories, null, 1)}\n`);
}
