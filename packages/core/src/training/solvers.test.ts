import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { VramkitError } from '../errors/vramkit-error.js';
import { prepareModel } from '../model/prepare-model.js';
import { GIB } from '../memory/units.js';
import { fixtureArchitecture } from '@vramkit/fixtures';
import { estimateTraining } from './estimate-training.js';
import { maxMicroBatch, maxSequenceLength, minGpus, planTraining } from './solvers.js';

const llama8b = prepareModel(fixtureArchitecture('meta-llama/Meta-Llama-3.1-8B'));
// LoRA on a bf16 base (QLoRA's NF4 base comes from @vramkit/quant; core's tests do not depend on it).
const qlora = {
  model: llama8b,
  method: 'lora',
  lora: { rank: 16, targets: 'all-linear' },
  seq: 4096,
  checkpointing: 'full',
} as const;

describe('maxMicroBatch', () => {
  it('finds the largest micro-batch whose total fits 48 GiB, and the next one does not', () => {
    const r = maxMicroBatch(qlora, 48 * GIB);
    expect(r.value).toBeGreaterThan(0);
    expect(r.estimate!.total).toBeLessThanOrEqual(48 * GIB);
    expect(estimateTraining({ ...qlora, microBatch: r.value + 1 }).total).toBeGreaterThan(48 * GIB);
    expect(r.bindingConstraint).toBe('logits');
  });

  it('returns 0 when even one sequence does not fit (full fine-tune of 8B on 24 GiB)', () => {
    expect(maxMicroBatch({ model: llama8b, seq: 4096 }, 24 * GIB).value).toBe(0);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => maxMicroBatch(qlora, -1)).toThrow(InvalidInputError);
  });
});

describe('maxSequenceLength', () => {
  it('finds the longest sequence that fits 80 GiB for a LoRA run, bounded by the next token count', () => {
    const o = {
      model: llama8b,
      method: 'lora',
      lora: { rank: 16, targets: 'all-linear' },
      checkpointing: 'full',
    } as const;
    const r = maxSequenceLength(o, 80 * GIB);
    expect(r.estimate!.total).toBeLessThanOrEqual(80 * GIB);
    expect(estimateTraining({ ...o, seq: r.value + 1 }).total).toBeGreaterThan(80 * GIB);
  });
});

describe('minGpus', () => {
  it('finds the fewest 80 GiB GPUs for a ZeRO-3 full fine-tune of Llama-3.1-70B (and one fewer does not fit)', () => {
    const o = {
      model: prepareModel(fixtureArchitecture('meta-llama/Meta-Llama-3.1-70B')),
      seq: 4096,
      checkpointing: 'full',
      parallel: { zero: 3 },
    } as const;
    const r = minGpus(o, 80 * GIB);
    expect(r.value).toBeGreaterThan(8);
    expect(estimateTraining({ ...o, parallel: { zero: 3, gpus: r.value - 1 } }).total).toBeGreaterThan(80 * GIB);
  });
});

describe('planTraining', () => {
  it('ranks setups for Llama-3.1-8B on 24 GiB by GPU count, QLoRA on one GPU first', () => {
    const plan = planTraining({ model: llama8b, seq: 2048, lora: { rank: 16, targets: 'all-linear' } }, 24 * GIB, {
      maxGpus: 16,
    });
    expect(plan[0]!.gpus).toBe(1);
    for (let i = 1; i < plan.length; i++) expect(plan[i]!.gpus).toBeGreaterThanOrEqual(plan[i - 1]!.gpus);
    expect(plan.every((s) => s.estimate.total <= 24 * GIB)).toBe(true);
    // The LoRA options go to the LoRA setups; full fine-tuning is planned without them (they would be refused).
    expect(plan.some((s) => s.label.startsWith('full ·') && s.options.lora === undefined)).toBe(true);
    expect(plan.filter((s) => s.label.startsWith('lora ·')).every((s) => s.options.lora?.rank === 16)).toBe(true);
  });

  it('refuses LoRA options when only full fine-tuning is planned: they apply to no setup', () => {
    expect(() =>
      planTraining({ model: llama8b, seq: 2048, lora: { targets: ['q_proj'] } }, 80 * GIB, { methods: ['full'] }),
    ).toThrow(/training\.lora\.targets/);
  });

  it('throws DOES_NOT_FIT when nothing fits', () => {
    try {
      planTraining({ model: llama8b, seq: 2048 }, 1 * GIB, { maxGpus: 2, methods: ['full'] });
      expect.unreachable();
    } catch (e) {
      expect(VramkitError.isInstance(e) && e.code).toBe('DOES_NOT_FIT');
    }
  });
});
