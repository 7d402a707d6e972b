import { z } from 'zod';
import { PartSchema } from '../part-schema.js';

const bytes = z.number().int().nonnegative().describe('bytes (integer)');

/** `vramkit estimate --mode train --json`, per GPU. Field names are stable. */
export const TrainOutputSchema = z.object({
  schema: z.literal('vramkit/train@1'),
  mode: z.literal('train'),
  model: z.object({ name: z.string(), argument: z.string() }),
  parameters: z.object({
    total: z.number().int().nonnegative().describe('base model parameters'),
    trainable: z
      .number()
      .int()
      .nonnegative()
      .describe('trainable parameters, as peft print_trainable_parameters() counts them'),
    all: z
      .number()
      .int()
      .nonnegative()
      .describe('"all params" as peft prints them (base + adapters + modules_to_save copies)'),
  }),
  workload: z.record(z.string(), z.unknown()).describe('the training workload after defaults'),
  sharding: z.object({
    stage: z.number().int(),
    degree: z.number().int(),
    scheme: z.string(),
    dataParallel: z.number().int(),
  }),
  effectiveBatch: z.number().int().positive().describe('micro-batch × gradient accumulation × data-parallel ranks'),
  bytes: z
    .object({
      total: bytes,
      weights: bytes,
      adapters: bytes,
      gradients: bytes,
      optimizer: bytes,
      activations: bytes,
      logits: bytes,
      communication: bytes,
      overhead: bytes,
    })
    .describe('per-GPU bytes at the peak; the parts sum to total'),
  peakAllocated: bytes.describe('total without overhead (torch.cuda.max_memory_allocated)'),
  peakPhase: z.enum(['forward-backward', 'optimizer-step']),
  phases: z.object({ forwardBackward: bytes, optimizerStep: bytes }),
  overheadBand: z.object({ low: bytes, expected: bytes, high: bytes }),
  hostBytes: z.object({
    total: bytes.describe('CPU RAM per GPU rank'),
    perNode: bytes,
    parts: z.record(z.string(), PartSchema),
  }),
  nvmeBytes: bytes,
  pageableBytes: bytes.describe('paged optimizer bytes the driver may move to CPU'),
  gpu: z.object({ label: z.string(), bytes, fits: z.boolean() }).optional(),
  breakdown: z.record(z.string(), PartSchema),
  assumptions: z.array(z.string()),
  notes: z.array(z.string()),
});
