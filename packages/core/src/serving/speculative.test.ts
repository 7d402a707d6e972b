import { describe, expect, it } from 'vitest';
import type { Architecture } from '../model/architecture.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { MIB } from '../memory/units.js';
import { plainFormats, weightBytes } from '../formats/weight-format.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { estimateServing } from './estimate-serving.js';
import { customGpu, lookupGpu } from './gpus.js';
import type { ServingOptions } from './serving.js';
import { solveGpuLayers } from './solvers.js';
import { llamaCppMemory } from './llama-cpp.js';
import {
  DEFAULT_ACCEPTANCE_RATE,
  type DraftingRule,
  draftWeightBytes,
  resolveSpeculation,
  speculativeStep,
} from './speculative.js';
import { fixtureModel } from '@vramkit/fixtures';

/** A 4-layer draft with Llama-2-7B's shapes and vocabulary: f16 KV = 4 layers × 2 × 4096 × 2 B = 64 KiB per cell. */
const draft: Architecture = { ...llama2_7b, layers: llama2_7b.layers.slice(0, 4) };
const DRAFT_KV_PER_CELL = 4 * 2 * 4096 * 2;
const q4 = ggufFileType('Q4_0');
const gpu = lookupGpu('rtx-4090');

const llama = (extra: Partial<ServingOptions> = {}): ServingOptions => ({
  engine: 'llama.cpp',
  model: llama2_7b,
  format: q4,
  gpus: [gpu],
  llamaCpp: { ctxSize: 4096, parallel: 2, nGpuLayers: 33 },
  ...extra,
});

function errorPath(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidInputError) return e.path;
    throw e;
  }
  return undefined;
}

describe('speculative decoding under llama.cpp (llama-server -md)', () => {
  it('adds the draft weights once and one KV cache of the target cells per sequence for each -np slot', () => {
    const base = estimateServing(llama());
    const spec = estimateServing(llama({ speculative: { draft, draftFormat: q4, draftTokens: 8 } }));
    const dev = (
      spec.breakdown as {
        devices: { parts: Record<string, { bytes: number; parts?: Record<string, { bytes: number }> }> }[];
      }
    ).devices[0]!;
    const d = dev.parts.draft!;
    // -c 4096 -np 2: the draft context takes the target's 4096 cells, 2048 for each sequence.
    expect(d.parts!.kvCache!.bytes).toBe(2 * 2048 * DRAFT_KV_PER_CELL);
    expect(spec.speculative?.context).toBe(4096);
    expect(spec.speculative?.gpuLayers).toBe(5);
    expect(spec.gpus[0]!.draftBytes).toBe(d.bytes);
    expect(spec.bytes.total - base.bytes.total).toBe(d.bytes);
    expect(spec.speculative?.bytes).toBe(d.bytes);
    expect(d.parts!.compute!.bytes).toBeGreaterThan(0);
  });

  it('one draft context of the target cells, counted once, with -ctkd/-ctvd its cache types (common/speculative.cpp)', () => {
    const spec = estimateServing(
      llama({ speculative: { draft, draftFormat: q4, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' } }),
    );
    const dev = (
      spec.breakdown as { devices: { parts: Record<string, { parts?: Record<string, { bytes: number }> }> }[] }
    ).devices[0]!;
    // n_ctx = llama_n_ctx(ctx_tgt) = 4096 cells for both sequences; q8_0: 34 bytes per 32 values instead of 64.
    expect(dev.parts.draft!.parts!.kvCache!.bytes).toBe((4096 * DRAFT_KV_PER_CELL * 34) / 64);
    expect(spec.speculative?.context).toBe(4096);
    // One context, so one compute buffer: the same as a lone 2-sequence context of the draft (was counted per slot).
    const lone = llamaCppMemory({
      ...{ model: draft, format: q4, gpus: [gpu], ctxSize: 4096, parallel: 2, contextBytesPerGpu: 0 },
      ...{ cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' },
    });
    expect(dev.parts.draft!.parts!.compute!.bytes).toBe(lone.devices[0]!.parts.activations!.bytes);
  });

  it('the target output buffer holds -np × (1 + n_max) rows for verification, capped at -b', () => {
    const host = (e: ReturnType<typeof estimateServing>) =>
      (e.breakdown as { host: { parts: Record<string, { bytes: number }> } }).host.parts.output!.bytes;
    // Llama-2-7B: 32000 f32 logits per row; -np 2: 2 rows without a draft, 2 × (1 + 3) with the default n_max 3.
    expect(host(estimateServing(llama()))).toBe(2 * 32000 * 4);
    expect(host(estimateServing(llama({ speculative: { draft, draftFormat: q4 } })))).toBe(8 * 32000 * 4);
    const capped = llama({ speculative: { draft, draftFormat: q4, draftTokens: 16 } });
    capped.llamaCpp = { ...capped.llamaCpp, batchSize: 16 };
    expect(host(estimateServing(capped))).toBe(16 * 32000 * 4);
  });

  it('defaults to the n_max, n_min and p_min of common/common.h (3, 0, 0), and says so', () => {
    const spec = estimateServing(llama({ speculative: { draft, draftFormat: q4 } }));
    expect(spec.speculative?.draftTokens).toBe(3);
    expect(spec.speculative?.drafting).toEqual({ maxTokens: 3, minTokens: 0, pMin: 0, passRate: 1, reevaluates: true });
    expect(spec.assumptions.join('\n')).toMatch(/at most 3, llama.cpp.s n_max default/);
  });

  it('-ngld 0 keeps the draft in host RAM', () => {
    const spec = estimateServing(llama({ speculative: { draft, draftFormat: q4, gpuLayers: 0 } }));
    const host = (
      spec.breakdown as {
        host: { parts: Record<string, { bytes: number; parts?: Record<string, { bytes: number }> }> };
      }
    ).host;
    expect(host.parts.draft!.parts!.weights!.bytes).toBeGreaterThan(0.5e9 * 0.1);
    expect(spec.speculative!.hostBytes).toBe(host.parts.draft!.bytes);
    expect(spec.speculative!.gpuLayers).toBe(0);
  });

  it('a draft that does not fit turns "fits" off, and the -ngl solver counts it', () => {
    const need = estimateServing(llama()).bytes.total;
    const small = customGpu(need + 1024 * MIB + 64 * MIB);
    const speculative = { draft, draftFormat: q4 };
    expect(estimateServing(llama({ gpus: [small] })).fits).toBe(true);
    expect(estimateServing(llama({ gpus: [small], speculative })).fits).toBe(false);
    const unpinned = { ...llama({ gpus: [small], speculative }), llamaCpp: { ctxSize: 4096, parallel: 2 } };
    expect(solveGpuLayers(unpinned).value).toBeLessThan(solveGpuLayers({ ...unpinned, speculative: undefined }).value);
  });

  it('states the expected speed-up as a model: (1 − α^(γ+1)) / (1 − α) tokens per step over (γ + 1)·c + 1', () => {
    const spec = estimateServing(
      llama({ speculative: { draft, draftFormat: q4, draftTokens: 4, acceptanceRate: 0.8 } }),
    );
    const s = spec.speculative!;
    expect(s.tokensPerStep).toBeCloseTo((1 - 0.8 ** 5) / 0.2, 10);
    // γ passes plus llama-server's re-decode of the verified batch; the draft reads 4 of 32 layers plus the head.
    expect(s.draftPasses).toBeCloseTo(5, 10);
    expect(s.speedup!).toBeGreaterThan(1.5);
    expect(s.speedup!).toBeLessThan(s.tokensPerStep!);
    expect(s.decodeTokensPerSecond!).toBeCloseTo(spec.throughput!.decodeTokensPerSecond * s.speedup!, 6);
    expect(estimateServing(llama({ speculative: { draft, draftFormat: q4 } })).speculative!.acceptanceRate).toBe(
      DEFAULT_ACCEPTANCE_RATE,
    );
  });

  it('refuses what llama.cpp does not take, at the field path', () => {
    expect(errorPath(() => estimateServing(llama({ speculative: { method: 'mtp' } })))).toBe('speculative.method');
    expect(errorPath(() => estimateServing(llama({ speculative: {} })))).toBe('speculative.draft');
    expect(errorPath(() => estimateServing(llama({ speculative: { draft } })))).toBe('speculative.draftFormat');
    expect(
      errorPath(() => estimateServing(llama({ speculative: { draft, draftFormat: q4, acceptanceRate: 1 } }))),
    ).toBe('speculative.acceptanceRate');
    const rule = (extra: object) => () =>
      estimateServing(llama({ speculative: { draft, draftFormat: q4, draftTokens: 4, ...extra } }));
    expect(errorPath(rule({ draftMinTokens: 5 }))).toBe('speculative.draftMinTokens');
    expect(errorPath(rule({ draftPMin: 1.5 }))).toBe('speculative.draftPMin');
    expect(errorPath(rule({ draftPMin: 0.5, draftPassRate: 0.5 }))).toBe('speculative.draftPassRate');
    expect(errorPath(rule({ draftPassRate: 0.9 }))).toBe('speculative.draftPassRate');
  });
});

/** llama.cpp's drafting loop, step by step (common/speculative.cpp draft_simple::draft), with a seeded generator. */
function simulate(rule: DraftingRule, alpha: number, steps: number, seed: number) {
  let x = seed;
  const rand = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
  let tokens = 0;
  let passes = 0;
  for (let s = 0; s < steps; s++) {
    const draft: boolean[] = []; // per drafted token: would the target accept it
    passes += rule.reevaluates ? 1 : 0;
    for (;;) {
      passes++; // one decode gives the next position's candidates
      if (rand() >= rule.passRate) break; // top probability below p_min
      draft.push(rand() < alpha / rule.passRate);
      if (draft.length >= rule.maxTokens) break;
    }
    if (draft.length < rule.minTokens) draft.length = 0;
    let accepted = 0;
    while (accepted < draft.length && draft[accepted]) accepted++;
    tokens += 1 + accepted;
  }
  return { tokensPerStep: tokens / steps, draftPasses: passes / steps };
}

describe('speculativeStep: drafted and accepted tokens with llama.cpp early stop', () => {
  it('is Leviathan et al. eq. 1 with a fixed γ', () => {
    const s = speculativeStep({ maxTokens: 5, minTokens: 0, pMin: 0, passRate: 1, reevaluates: false }, 0.6);
    expect(s.tokensPerStep).toBeCloseTo((1 - 0.6 ** 6) / 0.4, 12);
    expect(s.draftedTokens).toBe(5);
    expect(s.draftPasses).toBe(5);
  });

  it('matches a simulation of the drafting loop within 1% (p_min, n_min, re-decode)', () => {
    for (const rule of [
      { maxTokens: 8, minTokens: 0, pMin: 0.5, passRate: 0.8, reevaluates: true },
      { maxTokens: 16, minTokens: 3, pMin: 0.75, passRate: 0.7, reevaluates: true },
      { maxTokens: 3, minTokens: 2, pMin: 0.2, passRate: 0.9, reevaluates: false },
    ]) {
      const model = speculativeStep(rule, 0.7);
      const sim = simulate(rule, 0.7, 200_000, 7);
      expect(Math.abs(model.tokensPerStep / sim.tokensPerStep - 1)).toBeLessThan(0.01);
      expect(Math.abs(model.draftPasses / sim.draftPasses - 1)).toBeLessThan(0.01);
    }
  });

  it('p_min avoids the slowdown a fixed γ = 16 predicts for a slow draft', () => {
    const step = (passRate: number, pMin: number) => {
      const s = speculativeStep({ maxTokens: 16, minTokens: 0, pMin, passRate, reevaluates: true }, 0.7);
      return s.tokensPerStep / (1 + 0.15 * s.draftPasses);
    };
    expect(step(1, 0)).toBeLessThan(1);
    expect(step(0.7, 0.75)).toBeGreaterThan(1.5);
  });
});

describe('MTP weights as vLLM allocates them', () => {
  it('DeepSeek-V3: the checkpoint MTP layer without its embedding (shared), with its own head', () => {
    const model = fixtureModel('deepseek-ai/DeepSeek-V3');
    const h = 7168;
    const vocab = 129280;
    // MLA (q_lora 1536, kv_lora 512, 128 heads of 128 + 64 rope dims, v 128) and its two norms.
    const attention = 1536 * h + 1536 + 128 * 192 * 1536 + (512 + 64) * h + 512 + 128 * 256 * 512 + h * 128 * 128;
    // 256 routed experts and one shared expert of 2048, the router and its correction bias.
    const moe = 257 * 3 * 2048 * h + 256 * h + 256;
    const block = attention + moe + 2 * h;
    // enorm, hnorm, eh_proj (2h → h), shared_head.norm and shared_head.head (vocab × h).
    const mtp = block + 2 * h + 2 * h * h + h + vocab * h;
    expect(mtp).toBe(12_536_747_264);
    const r = resolveSpeculation('vllm', { method: 'mtp' }, model);
    expect(draftWeightBytes(r, model, plainFormats.bf16).bytes).toBe(2 * mtp);
    // Under a quantized format eh_proj stays a bf16 nn.Linear (2 bytes × 2h × h); the rest takes the format.
    const int8 = draftWeightBytes(r, model, plainFormats.int8).bytes;
    const others = model.tensors.filter((t) => t.mtp && t.role !== 'token_embd' && t.role !== 'nextn_eh_proj');
    const ctx = { arch: model.arch, numLayers: model.arch.layers.length };
    expect(int8 - weightBytes(others, plainFormats.int8, ctx, { includeMtp: true }).total).toBe(2 * 2 * h * h);
    // DeepSeek-R1 has the same config: the same count.
    const r1 = fixtureModel('deepseek-ai/DeepSeek-R1');
    expect(draftWeightBytes(resolveSpeculation('vllm', { method: 'mtp' }, r1), r1, plainFormats.bf16).bytes).toBe(
      2 * mtp,
    );
  });
});

describe('speculative decoding under vLLM (--speculative-config)', () => {
  const vllm = (extra: Partial<ServingOptions> = {}): ServingOptions => ({
    engine: 'vllm',
    model: llama2_7b,
    format: plainFormats.bf16,
    gpus: [lookupGpu('h100-80gb')],
    context: 4096,
    ...extra,
  });

  it('loads the drafter beside the target and pages its layers in every block of the shared pool', () => {
    const base = estimateServing(vllm());
    const spec = estimateServing(vllm({ speculative: { draft, draftTokens: 4 } }));
    const parts = (
      spec.breakdown as { parts: Record<string, { bytes: number; parts?: Record<string, { bytes: number }> }> }
    ).parts;
    const draftWeights = parts.draft!.parts!.weights!.bytes;
    // bf16 draft: 4 layers of Llama-2-7B (202,383,360 params) + embedding and head (2 × 32000 × 4096) + final norm.
    expect(draftWeights).toBe(2 * (4 * 202_383_360 + 2 * 32000 * 4096 + 4096));
    expect(spec.engine.kvBudgetBytes).toBe(base.engine.kvBudgetBytes - draftWeights);
    // A block of 16 tokens: target 32 layers × 2 × 4096 × 2 B, draft 4 layers the same.
    const blocks = Math.floor(spec.engine.kvBudgetBytes / (16 * 36 * 2 * 4096 * 2));
    expect(parts.kvCache!.bytes).toBe(blocks * 16 * 32 * 2 * 4096 * 2);
    expect(parts.draft!.parts!.kvCache!.bytes).toBe(blocks * 16 * 4 * 2 * 4096 * 2);
  });

  it('needs num_speculative_tokens with a draft model, and refuses llama.cpp-only settings and transformers', () => {
    expect(errorPath(() => estimateServing(vllm({ speculative: { draft } })))).toBe('speculative.draftTokens');
    expect(errorPath(() => estimateServing(vllm({ speculative: { draft, draftTokens: 3, gpuLayers: 1 } })))).toBe(
      'speculative.gpuLayers',
    );
    expect(errorPath(() => estimateServing(vllm({ speculative: { method: 'mtp' } })))).toBe('speculative.method');
    expect(
      errorPath(() => estimateServing({ ...vllm(), engine: 'transformers', speculative: { draft, draftTokens: 3 } })),
    ).toBe('speculative.method');
  });

  it('runs MTP with the model own MTP layers: one decoder layer per MTP layer in the pool, γ = their count', () => {
    const withMtp: Architecture = { ...llama2_7b, mtpLayers: 1 };
    const spec = estimateServing(vllm({ model: withMtp, speculative: { method: 'mtp' } }));
    const parts = (spec.breakdown as { parts: Record<string, { parts?: Record<string, { bytes: number }> }> }).parts;
    expect(spec.speculative!.draftTokens).toBe(1);
    expect(spec.speculative!.method).toBe('mtp');
    const blocks = Math.floor(spec.engine.kvBudgetBytes / (16 * 33 * 2 * 4096 * 2));
    expect(parts.draft!.parts!.kvCache!.bytes).toBe(blocks * 16 * 2 * 4096 * 2);
  });
});
