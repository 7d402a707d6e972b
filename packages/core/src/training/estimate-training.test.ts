import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { prepareModel } from '../model/prepare-model.js';
import {
  llama2_7b,
  llama31_8b,
  llama31_70b,
  llama32_3b,
  mixtral8x7b,
  smollm2_360m,
} from './__fixtures__/architectures.js';
import { cases, measuredBytes } from './__fixtures__/measured-cases.js';
import { estimateTraining, type TrainingOptions } from './estimate-training.js';

const llama2 = prepareModel(llama2_7b);
const llama3b = prepareModel(llama32_3b);
const llama8b = prepareModel(llama31_8b);
const llama70b = prepareModel(llama31_70b);

describe('estimateTraining', () => {
  it('refuses QLoRA without the frozen base format (bitsandbytes lives in @vramkit/quant)', () => {
    expect(() => estimateTraining({ model: llama2, method: 'qlora' })).toThrow(/baseFormat/);
  });

  // QLoRA cases need @vramkit/quant's NF4 format: apps/cli/src/train/ground-truth/measured.test.ts runs them.
  it.each(cases.filter((c) => c.options.method !== 'qlora'))(
    'lands within 15% of measured $id ($assume)',
    ({ id, compare, options }) => {
      const e = estimateTraining(options);
      const est = compare === 'allocated' ? e.peakAllocated : e.total;
      const m = measuredBytes(id);
      expect(Math.abs(est / m - 1)).toBeLessThan(0.15);
    },
  );

  it('is 15.1% under tm0380 (70B full, FSDP + CPU offload) — out of tolerance, kept within 25% and listed', () => {
    // Parameters and optimizer live on the CPU; the GPU holds gathered units, activations and logits.
    // The recipe's offload buffers are not stated; we model only two gathered layers.
    const e = estimateTraining({
      model: llama70b,
      precision: 'bf16',
      checkpointing: 'full',
      seq: 2048,
      microBatch: 2,
      kernels: 'fused',
      loss: 'chunked',
      optimizerInBackward: true,
      parallel: { gpus: 8, fsdp: 'full', offload: 'optimizer+params' },
    });
    const err = e.peakAllocated / measuredBytes('tm0380') - 1;
    expect(err).toBeLessThan(-0.15);
    expect(err).toBeGreaterThan(-0.25);
    expect(e.hostBytes.total).toBeGreaterThan(0);
  });

  it('holds the bf16 weights of Llama 3.2 3B after init within 5% of tm0413 (6.21 GiB allocated)', () => {
    const e = estimateTraining({
      model: llama3b,
      method: 'lora',
      lora: { rank: 8, targets: ['q_proj', 'v_proj'] },
      precision: 'bf16',
    });
    expect(Math.abs((e.parts.weights.bytes + e.parts.adapters.bytes) / measuredBytes('tm0413') - 1)).toBeLessThan(0.05);
  });

  it('reports effective batch micro-batch × accumulation × dp = 2 × 8 × 4 = 64 without changing memory', () => {
    const a = estimateTraining({ model: llama2, microBatch: 2, parallel: { gpus: 4, zero: 1 } });
    const b = estimateTraining({ model: llama2, microBatch: 2, gradAccum: 8, parallel: { gpus: 4, zero: 1 } });
    expect(b.effectiveBatch).toBe(64);
    expect(b.total).toBe(a.total);
  });

  it('counts 16 B/param of model states for bf16-mixed AdamW: 6,738,415,616 params → 107,814,649,856 B', () => {
    const e = estimateTraining({ model: llama2, precision: 'bf16-mixed', optimizer: 'adamw', gradients: 'persistent' });
    expect(e.parameters).toEqual({ total: 6_738_415_616, trainable: 6_738_415_616, all: 6_738_415_616 });
    expect(e.parts.weights.bytes + e.parts.gradients.bytes + e.parts.optimizer.bytes).toBe(16 * 6_738_415_616);
  });

  it('counts 8 B/param for pure bf16, 18 for AMP (autocast cache) and Megatron bf16', () => {
    const states = (precision: TrainingOptions['precision']) => {
      const e = estimateTraining({ model: llama2, precision, gradients: 'persistent' });
      return (e.parts.weights.bytes + e.parts.gradients.bytes + e.parts.optimizer.bytes) / 6_738_415_616;
    };
    expect(states('bf16')).toBe(8);
    expect(states('amp-bf16')).toBe(18);
    expect(states('megatron-bf16')).toBe(18);
    expect(states('fp32')).toBe(16);
    expect(states('fp8-deepseek')).toBe(13);
  });

  it('pads MoE expert buffers with a capacity factor: Mixtral activations grow with factor 1.25 over dropless', () => {
    const mixtral = prepareModel(mixtral8x7b);
    const dropless = estimateTraining({ model: mixtral, method: 'lora', seq: 2048 }).parts.activations.bytes;
    expect(
      estimateTraining({ model: mixtral, method: 'lora', seq: 2048, moeCapacityFactor: 1.25 }).parts.activations.bytes,
    ).toBeGreaterThan(dropless);
  });

  it('shards model states under ZeRO-3 over 8 GPUs to 16/8 = 2 B/param', () => {
    const e = estimateTraining({ model: llama2, precision: 'bf16-mixed', parallel: { gpus: 8, zero: 3 } });
    expect(e.parts.weights.bytes + e.parts.gradients.bytes + e.parts.optimizer.bytes).toBe(2 * 6_738_415_616);
    expect(e.sharding.stage).toBe(3);
    expect(e.parts.communication.parts?.liveParameters).toBeDefined();
  });

  it('needs more per GPU under ZeRO-2 than ZeRO-1 for SmolLM2-360M on 2 GPUs: the 5e8-element buckets outweigh the sharded gradients', () => {
    const small = prepareModel(smollm2_360m);
    const at = (zero: 1 | 2) => estimateTraining({ model: small, seq: 512, parallel: { gpus: 2, zero } });
    expect(at(2).total).toBeGreaterThan(at(1).total);
    expect(at(2).parts.communication.bytes).toBeGreaterThan(at(1).parts.communication.bytes);
  });

  it('reports 39,976,960 trainable params for Llama-2-7B LoRA r=16 all-linear, with adapters and their states', () => {
    const e = estimateTraining({ model: llama2, method: 'lora', lora: { rank: 16, targets: 'all-linear' } });
    expect(e.parameters.trainable).toBe(39_976_960);
    expect(e.parts.adapters.bytes).toBe(39_976_960 * (2 + 4));
    expect(e.parts.optimizer.bytes).toBe(39_976_960 * 8);
  });

  it('moves optimizer states and master weights to CPU with offload, reporting host bytes', () => {
    const e = estimateTraining({ model: llama2, parallel: { gpus: 4, zero: 2, offload: 'optimizer' } });
    expect(e.parts.optimizer.bytes).toBe(0);
    expect(e.hostBytes.parts.optimizer?.bytes).toBe(Math.ceil((6_738_415_616 * 8) / 4));
    expect(e.hostBytes.perNode).toBe(e.hostBytes.total * 4);
  });

  it('orders the overhead band low ≤ expected ≤ high', () => {
    const e = estimateTraining({
      model: llama2,
      method: 'lora',
      lora: { rank: 16, targets: 'all-linear' },
      seq: 4096,
      microBatch: 2,
      checkpointing: 'full',
    });
    expect(e.overheadBand.low).toBeLessThanOrEqual(e.overheadBand.expected);
    expect(e.overheadBand.expected).toBeLessThanOrEqual(e.overheadBand.high);
    expect(e.overheadBand.expected).toBe(e.total);
  });

  it('throws InvalidInputError naming parallel.gpus when gpus is not a multiple of tp × pp', () => {
    expect(() => estimateTraining({ model: llama2, parallel: { gpus: 6, tp: 4 } })).toThrow(InvalidInputError);
    try {
      estimateTraining({ model: llama2, parallel: { gpus: 6, tp: 4 } });
    } catch (e) {
      expect((e as InvalidInputError).path).toBe('parallel.gpus');
    }
  });

  it('throws naming training.seq for a non-integer sequence length', () => {
    expect(() => estimateTraining({ model: llama2, seq: 1.5 })).toThrow(/training\.seq/);
  });

  it('never needs less memory for a longer sequence or a larger micro-batch (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8192 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('none', 'full', 'selective'),
        (seq, extra, mb, ckpt) => {
          const o = { model: llama3b, seq, microBatch: mb, checkpointing: ckpt } as const;
          const a = estimateTraining(o).total;
          expect(estimateTraining({ ...o, seq: seq + extra }).total).toBeGreaterThanOrEqual(a);
          expect(estimateTraining({ ...o, microBatch: mb + 1 }).total).toBeGreaterThanOrEqual(a);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never needs more model-state memory per GPU with more GPUs under ZeRO-3 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 63 }), fc.integer({ min: 1, max: 64 }), (g, extra) => {
        const states = (gpus: number) => {
          const e = estimateTraining({ model: llama2, parallel: { gpus, zero: 3 } });
          return e.parts.weights.bytes + e.parts.gradients.bytes + e.parts.optimizer.bytes;
        };
        expect(states(g + extra)).toBeLessThanOrEqual(states(g));
      }),
      { numRuns: 30 },
    );
  });

  it('trains fewer parameters with LoRA than full fine-tuning, for any rank (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 256 }),
        fc.constantFrom<'all-linear' | 'default'>('all-linear', 'default'),
        (rank, targets) => {
          const e = estimateTraining({ model: llama2, method: 'lora', lora: { rank, targets } });
          expect(e.parameters.trainable).toBeLessThan(e.parameters.total);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('parallel degrees and context parallelism', () => {
  it('refuses tp 3 on 32 heads and ep 3 on 8 experts with typed errors naming the field', () => {
    const tp = () => estimateTraining({ model: llama8b, parallel: { gpus: 3, tp: 3 } });
    expect(tp).toThrow(InvalidInputError);
    expect(tp).toThrow(/parallel\.tp.*32 attention heads/);
    const ep = () => estimateTraining({ model: prepareModel(mixtral8x7b), parallel: { gpus: 3, ep: 3 } });
    expect(ep).toThrow(/parallel\.ep.*8 experts/);
    expect(() => estimateTraining({ model: llama8b, parallel: { gpus: 2, ep: 2 } })).toThrow(/no experts/);
  });

  it('shards FSDP model states over dp × cp: 8 GPUs at cp 8 hold as little as 8 GPUs of plain FSDP (torchtitan dp_shard_cp)', () => {
    const states = (cp: number) => {
      const e = estimateTraining({
        model: llama8b,
        precision: 'fsdp-bf16',
        seq: 8192,
        checkpointing: 'full',
        parallel: { gpus: 8, cp, fsdp: 'full' },
      });
      return e.parts.weights.bytes + e.parts.optimizer.bytes;
    };
    expect(states(8)).toBe(states(1));
    expect(states(8)).toBeLessThan((8_030_261_248 * 12) / 7);
  });
});
