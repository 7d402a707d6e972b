import { estimateTraining, InvalidInputError, type TrainingOptions } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { QLORA_BASE_FORMAT } from '../qlora-format.js';
import {
  ACTIVATIONS_NOT_RECORDED,
  activationFixture,
  KNOWN_ACTIVATION_DIFFERENCES,
  lossPeakCases,
  type SavedRecord,
  savedActivationCases,
} from './activations.js';
import { catalogueIds, catalogueModel, reducedOverrides } from './fixtures.js';

const f = activationFixture();
const saved = savedActivationCases(f);
const loss = lossPeakCases(f);
const rel = (c: { expected: number; actual: number }) => Math.abs(c.actual / c.expected - 1);

describe(`bytes saved for backward per layer against torch ${f.versions.torch} / transformers ${f.versions.transformers} / peft ${f.versions.peft} (batch ${f.batch})`, () => {
  it('has recorded every setting for every recorded config', () => {
    expect(Object.keys(f.models).length).toBeGreaterThanOrEqual(3);
    for (const [id, rows] of Object.entries(f.models)) {
      const keys = Object.keys(rows).filter((k) => k !== 'loss');
      expect(keys.length, id).toBeGreaterThanOrEqual(4);
    }
  });

  it('records every catalogue config, or lists it as not recorded yet', () => {
    expect(catalogueIds().filter((id) => !f.models[id])).toEqual([...ACTIVATIONS_NOT_RECORDED].sort());
  });

  it('compares every recorded setting: a row without bytes is only an attention transformers does not implement', () => {
    for (const [id, rows] of Object.entries(f.models)) {
      for (const [mode, l] of Object.entries(rows.loss ?? {})) expect(l.error, `${id} loss/${mode}`).toBeUndefined();
      for (const [k, r] of Object.entries(rows)) {
        if (k === 'loss') continue;
        const rec = r as SavedRecord;
        if (rec.error) expect(rec.error, `${id} ${k}`).toMatch(/does not support an attention implementation/);
        else expect(saved.filter((c) => c.config === id && c.key === k).length, `${id} ${k}`).toBeGreaterThan(0);
      }
    }
  });

  it.each(saved.filter((c) => !c.cause))('$id: within 3%', (c) => {
    expect(rel(c)).toBeLessThan(0.03);
  });

  it.each(saved.filter((c) => c.cause))('$id: outside 3% for a recorded cause', (c) => {
    // A known difference that disappears must leave the list.
    expect(rel(c)).toBeGreaterThanOrEqual(0.03);
  });

  it('differencing depths agrees with per-layer attribution (the recorder attributes every saved tensor)', () => {
    const rows = Object.entries(f.models).flatMap(([id, rows]) =>
      Object.entries(rows)
        .filter(([k]) => k !== 'loss')
        .map(([k, r]) => [`${id} ${k}`, r as SavedRecord] as const)
        .filter(([, r]) => r.totalNext !== undefined && r.total !== undefined && r.perLayer),
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const [id, r] of rows) {
      const byDepth = r.totalNext! - r.total!;
      // The added layer repeats the last one, except in hybrid stacks (Qwen3-Next adds a linear layer).
      const same = r.perLayer!.filter((b) => Math.abs(b / byDepth - 1) < 0.001);
      expect(same.length, id).toBeGreaterThan(0);
    }
  });
});

describe('logits and loss peak against the allocator peak of the head and transformers ForCausalLMLoss', () => {
  it('has recorded loss peaks', () => {
    expect(loss.length).toBeGreaterThanOrEqual(2);
  });

  it.each(loss.filter((c) => !c.cause))('$id: within 3%', (c) => {
    expect(rel(c)).toBeLessThan(0.03);
  });
});

describe('known differences', () => {
  it('name only recorded rows of recorded configs, each with its cause', () => {
    const ids = new Set([...saved.map((c) => `${c.config} ${c.key}`), ...loss.map((c) => c.id)]);
    for (const [k, cause] of Object.entries(KNOWN_ACTIVATION_DIFFERENCES)) {
      // Configs whose larger variants are not recorded yet keep their cause for when they are.
      if (!f.models[k.split(' ')[0]!]) continue;
      expect(ids.has(k.replace(/ layer\d+$/, '')), k).toBe(true);
      expect(cause.length).toBeGreaterThan(20);
    }
  });
});

describe("estimateTraining's activation wiring against the recorded layers", () => {
  // The estimate's largest layer (`activations.layers.perLayer`) under the recorded setting, against the
  // fixture's last layer: it fails if the estimate drops peft's merged fused-expert weights or the fp32
  // stack of prepare_model_for_kbit_training.
  const largestLayer = (options: TrainingOptions) =>
    estimateTraining(options).parts.activations.parts?.layers?.parts?.perLayer?.bytes ?? 0;
  const recorded = (config: string, key: string) => {
    const rec = f.models[config]![key] as SavedRecord;
    return { model: catalogueModel(config, reducedOverrides(config, rec.perLayer!.length)), rec };
  };
  const setting = {
    seq: 128,
    microBatch: 1,
    attention: 'flash',
    attentionDevice: 'cpu',
    kernels: 'eager',
    loss: 'hf',
    checkpointing: 'none',
  } as const;

  it('passes fusedExperts for LoRA on fused experts (Qwen3-30B-A3B, transformers 5 layout): within 3%', () => {
    const { model, rec } = recorded('Qwen__Qwen3-30B-A3B', 'sdpa/no-ckpt/lora');
    const got = largestLayer({
      model,
      method: 'lora',
      lora: { rank: 16, targets: 'all-linear', adapterDtype: 'fp32', expertLayout: 'fused' },
      ...setting,
      seq: rec.seq ?? f.seq,
    });
    expect(Math.abs(got / rec.perLayer!.at(-1)! - 1)).toBeLessThan(0.03);
  });

  it('runs the QLoRA stack in fp32 under kbitUpcast (prepare_model_for_kbit_training; SmolLM2-1.7B): within 3%', () => {
    const { model, rec } = recorded('HuggingFaceTB__SmolLM2-1.7B', 'sdpa/no-ckpt/qlora');
    const got = largestLayer({
      model,
      method: 'qlora',
      baseFormat: QLORA_BASE_FORMAT,
      kbitUpcast: true,
      lora: { rank: 16, targets: 'all-linear', adapterDtype: 'fp32' },
      ...setting,
      seq: rec.seq ?? f.seq,
    });
    expect(Math.abs(got / rec.perLayer!.at(-1)! - 1)).toBeLessThan(0.03);
  });

  it("passes linearAttentionKernels: torch to Qwen3-Next's Gated DeltaNet layers (the largest layer): within 3%", () => {
    const { model, rec } = recorded('Qwen__Qwen3-Next-80B-A3B-Thinking', 'sdpa/no-ckpt/lora');
    const options: TrainingOptions = {
      model,
      method: 'lora',
      lora: { rank: 16, targets: 'all-linear', adapterDtype: 'fp32', expertLayout: 'fused' },
      ...setting,
      seq: rec.seq ?? f.seq,
    };
    const got = largestLayer({ ...options, linearAttentionKernels: 'torch' });
    expect(Math.abs(got / Math.max(...rec.perLayer!) - 1)).toBeLessThan(0.03);
    // The fused kernels' model (default `fla`) is far from what the fallback saves.
    expect(Math.abs(largestLayer(options) / Math.max(...rec.perLayer!) - 1)).toBeGreaterThan(0.1);
  });

  it('refuses linearAttentionKernels for a model without linear-attention layers', () => {
    const { model } = recorded('HuggingFaceTB__SmolLM2-1.7B', 'sdpa/no-ckpt/full');
    expect(() => estimateTraining({ model, ...setting, linearAttentionKernels: 'torch' })).toThrow(
      /linearAttentionKernels/,
    );
  });

  it('refuses attentionDevice with eager attention (it picks an SDPA backend)', () => {
    const { model } = recorded('HuggingFaceTB__SmolLM2-1.7B', 'eager/no-ckpt/full');
    expect(() => estimateTraining({ model, ...setting, attention: 'naive' })).toThrow(InvalidInputError);
    expect(() => estimateTraining({ model, ...setting, attention: 'naive' })).toThrow(/attentionDevice/);
  });
});
