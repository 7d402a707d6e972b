import { fixtureModel } from '@vramkit/fixtures';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { cases, comparedBytes, initCases, measuredBytes } from './__fixtures__/measured-cases.js';
import { estimateTraining, type TrainingOptions } from './estimate-training.js';

// Recorded configs through normalizeConfig (@vramkit/fixtures), as a user's model reaches core.
const llama2 = fixtureModel('meta-llama/Llama-2-7b-hf');
const llama3b = fixtureModel('meta-llama/Llama-3.2-3B-Instruct');
const llama8b = fixtureModel('meta-llama/Meta-Llama-3.1-8B');
const mixtral = fixtureModel('mistralai/Mixtral-8x7B-v0.1');
const smollm2 = fixtureModel('HuggingFaceTB/SmolLM2-360M');

describe('estimateTraining', () => {
  it('refuses QLoRA without the frozen base format (bitsandbytes lives in @vramkit/quant)', () => {
    expect(() => estimateTraining({ model: llama2, method: 'qlora' })).toThrow(/baseFormat/);
  });

  // QLoRA cases need @vramkit/quant's NF4 format: apps/cli/src/train/ground-truth/measured.test.ts runs them
  // and checks the median over all cases.
  it.each([...cases, ...initCases].filter((c) => c.options.method !== 'qlora'))(
    'lands within 20% of measured $id ($assume)',
    (c) => {
      const err = comparedBytes(c, estimateTraining(c.options)) / measuredBytes(c.id) - 1;
      expect(Math.abs(err)).toBeLessThan(0.2);
    },
  );

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

  it("Megatron presets: no DeepSpeed bucket beside the distributed optimizer, Megatron's loss unless another is given", () => {
    const megatron = { model: llama2, precision: 'megatron-bf16', seq: 2048, parallel: { gpus: 8, zero: 1 } } as const;
    const e = estimateTraining(megatron);
    expect(e.parts.communication.bytes).toBe(0);
    expect(e.workload.loss).toBe('vocab-parallel');
    expect(e.parts.logits.bytes).toBe(2048 * 32000 * 6);
    const hf = estimateTraining({ ...megatron, loss: 'hf' });
    expect(hf.workload.loss).toBe('hf');
    expect(hf.parts.logits.bytes).toBe(2048 * 32000 * 12);
    // The same sharding under DeepSpeed (bf16-mixed) keeps its 5e8-element allgather bucket.
    const ds = estimateTraining({ ...megatron, precision: 'bf16-mixed' });
    expect(ds.parts.communication.parts?.allgatherBucket?.bytes).toBe(5e8 * 2);
  });

  it('pads MoE expert buffers with a capacity factor: Mixtral activations grow with factor 1.25 over dropless', () => {
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
    const at = (zero: 1 | 2) => estimateTraining({ model: smollm2, seq: 512, parallel: { gpus: 2, zero } });
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

describe('library messages', () => {
  it('name fields (parallel.zero, lora.targets), never CLI flags, in every refusal', () => {
    const bad: TrainingOptions[] = [
      { model: llama2, parallel: { gpus: 6, tp: 4 } },
      { model: llama2, parallel: { gpus: 2, zero: 1, fsdp: 'full' } },
      { model: llama2, parallel: { gpus: 2, offload: 'optimizer' } },
      { model: llama2, parallel: { gpus: 2, zero: 2, offload: 'optimizer+params' } },
      { model: llama2, method: 'lora', lora: { targets: ['nope'] } },
      { model: mixtral, method: 'dora', lora: { targets: 'all-linear' } },
      { model: llama2, method: 'qlora' },
      { model: llama2, activationOffload: true },
      { model: llama2, seq: 0 },
    ];
    for (const o of bad) {
      let message = '';
      try {
        estimateTraining(o);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        message = (e as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toMatch(/--[a-z]/);
    }
  });
});

describe('parallel degrees and context parallelism', () => {
  it('refuses tp 3 on 32 heads and ep 3 on 8 experts with typed errors naming the field', () => {
    const tp = () => estimateTraining({ model: llama8b, parallel: { gpus: 3, tp: 3 } });
    expect(tp).toThrow(InvalidInputError);
    expect(tp).toThrow(/parallel\.tp.*32 attention heads/);
    const ep = () => estimateTraining({ model: mixtral, parallel: { gpus: 3, ep: 3 } });
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

describe('LoRA options without adapters', () => {
  it('refuses every lora.* option the caller gave with method full, naming each field', () => {
    const given: NonNullable<TrainingOptions['lora']> = {
      targets: ['q_proj'],
      rank: 8,
      alpha: 16,
      dropout: 0.05,
      adapterDtype: 'fp32',
    };
    try {
      estimateTraining({ model: llama2, method: 'full', lora: given });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      const issues = (e as InvalidInputError).issues;
      expect(issues.map((i) => i.path)).toEqual(Object.keys(given).map((k) => `training.lora.${k}`));
      expect(issues[0]?.message).toMatch(/`lora\.targets`.*`method`/);
    }
    // The method's default is full: targets alone are refused too.
    expect(() => estimateTraining({ model: llama2, lora: { rank: 8 } })).toThrow(/training\.lora\.rank/);
  });

  it('does not mistake defaults for given options: no lora, an empty lora or undefined fields are accepted', () => {
    for (const lora of [undefined, {}, { rank: undefined, targets: undefined }]) {
      const e = estimateTraining({ model: llama2, method: 'full', ...(lora ? { lora } : {}) });
      expect(e.parameters.trainable).toBe(e.parameters.total);
    }
    // The same options with a LoRA method are used.
    expect(
      estimateTraining({ model: llama2, method: 'lora', lora: { rank: 8, targets: ['q_proj'] } }).adapters,
    ).toBeDefined();
  });
});
