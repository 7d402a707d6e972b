import { describe, expect, it } from 'vitest';
import type { Architecture } from '../model/architecture.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { MIB } from '../memory/units.js';
import { plainFormats } from '../formats/weight-format.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { estimateServing } from './estimate-serving.js';
import { customGpu, lookupGpu } from './gpus.js';
import type { ServingOptions } from './serving.js';
import { solveGpuLayers } from './solvers.js';
import { DEFAULT_ACCEPTANCE_RATE } from './speculative.js';

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
    // -c 4096 -np 2: 2048 cells per sequence, so each of the 2 draft contexts holds 2048 cells.
    expect(d.parts!.kvCache!.bytes).toBe(2 * 2048 * DRAFT_KV_PER_CELL);
    expect(spec.speculative?.context).toBe(2048);
    expect(spec.speculative?.gpuLayers).toBe(5);
    expect(spec.gpus[0]!.draftBytes).toBe(d.bytes);
    expect(spec.bytes.total - base.bytes.total).toBe(d.bytes);
    expect(spec.speculative?.bytes).toBe(d.bytes);
    expect(d.parts!.compute!.bytes).toBeGreaterThan(0);
  });

  it('-cd sets the cells of each draft context and -ctkd/-ctvd its cache types', () => {
    const spec = estimateServing(
      llama({ speculative: { draft, draftFormat: q4, ctxSize: 1024, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' } }),
    );
    const dev = (
      spec.breakdown as { devices: { parts: Record<string, { parts?: Record<string, { bytes: number }> }> }[] }
    ).devices[0]!;
    // q8_0: 34 bytes per 32 values instead of 64 bytes (f16).
    expect(dev.parts.draft!.parts!.kvCache!.bytes).toBe((2 * 1024 * DRAFT_KV_PER_CELL * 34) / 64);
    expect(spec.speculative?.draftTokens).toBe(16);
    expect(spec.assumptions.join('\n')).toMatch(/--draft-max default/);
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

  it('states the expected speed-up as a model: (1 − α^(γ+1)) / (1 − α) tokens per step over γ·c + 1', () => {
    const spec = estimateServing(
      llama({ speculative: { draft, draftFormat: q4, draftTokens: 4, acceptanceRate: 0.8 } }),
    );
    const s = spec.speculative!;
    expect(s.tokensPerStep).toBeCloseTo((1 - 0.8 ** 5) / 0.2, 10);
    // The draft reads 4 of 32 layers plus the head: c ≈ 0.2 of the target, so the speed-up is 3.36 / (4c + 1).
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
