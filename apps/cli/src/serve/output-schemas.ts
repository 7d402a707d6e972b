import { z } from 'zod';
import { PartSchema } from '../part-schema.js';

const bytes = z.number().int().nonnegative().describe('bytes (integer)');

const GpuBytesSchema = z.strictObject({
  id: z.string().describe('catalogue id, or "custom" for --gpu-memory'),
  name: z.string(),
  capacityBytes: bytes.describe('memory the GPU gives a process (CUDA-reported total where known)'),
  bytes: z
    .strictObject({ weights: bytes, kvCache: bytes, activations: bytes, overhead: bytes, total: bytes })
    .describe('this GPU; weights are per GPU under TP/PP'),
  draftBytes: bytes
    .optional()
    .describe("speculative decoding: the draft's weights, KV cache and buffers here (in bytes.total)"),
  fits: z.boolean(),
  tight: z.boolean().optional().describe('under the capacity but inside the fit margin (does not fit)'),
});

const SpeculativeSchema = z
  .strictObject({
    method: z.enum(['draft', 'eagle', 'eagle3', 'mtp']),
    draftTokens: z.number().int().positive().describe('γ: most tokens drafted per step'),
    drafting: z
      .strictObject({
        maxTokens: z.number().int().positive(),
        minTokens: z.number().int().nonnegative().describe('llama.cpp --spec-draft-n-min'),
        pMin: z.number().min(0).max(1).describe('llama.cpp --spec-draft-p-min'),
        passRate: z.number().min(0).max(1).describe('β: share of drafted positions that clear p_min (a model input)'),
        reevaluates: z.boolean().describe('llama.cpp: the draft re-decodes each verified batch'),
      })
      .describe("the engine's drafting rule as applied"),
    acceptanceRate: z.number().min(0).max(1).describe('α: a model input (default 0.7)'),
    gpuLayers: z.number().int().nonnegative().optional().describe('llama.cpp: -ngld as applied'),
    context: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("llama.cpp: cells of the draft context (the target's -c, shared by its -np sequences)"),
    bytes: bytes.describe('what the draft adds on the most loaded GPU'),
    hostBytes: bytes.optional().describe('llama.cpp: draft bytes in host RAM'),
    speedup: z.number().positive().optional().describe('expected decode speed-up (a model)'),
    tokensPerStep: z.number().positive().optional().describe('expected tokens per target step (a model)'),
    draftedTokens: z.number().nonnegative().optional().describe('expected tokens drafted per step (a model)'),
    acceptedTokens: z.number().nonnegative().optional().describe('expected drafted tokens accepted per step (a model)'),
    draftPasses: z.number().nonnegative().optional().describe('expected draft forward passes per step (a model)'),
    decodeTokensPerSecond: z.number().positive().optional(),
    note: z.string(),
    draft: z.string().nullable().optional().describe('the draft model as given'),
  })
  .describe('speculative decoding (llama.cpp --model-draft, vLLM --speculative-config)');

const EngineFiguresSchema = z.strictObject({
  name: z.enum(['llama.cpp', 'vllm', 'transformers']),
  kvBudgetBytes: bytes.describe('memory the engine leaves for its KV cache on one GPU'),
  kvTokens: z.number().int().nonnegative().describe('tokens that budget holds'),
  maxConcurrency: z.number().int().nonnegative().describe('requests of the configured context that fit at once'),
  maxContext: z.number().int().nonnegative().describe('largest context at batch 1'),
  gpuLayers: z.number().int().nonnegative().optional().describe('llama.cpp: layers offloaded (-ngl)'),
  hostBytes: bytes.optional().describe('llama.cpp: bytes that stay in CPU RAM'),
  concurrencyFactor: z
    .number()
    .nonnegative()
    .optional()
    .describe('vLLM: "Maximum concurrency for N tokens per request: 6.65x" (KV tokens / max_model_len)'),
});

const BindingSchema = z.enum(['none', 'gpu-memory', 'kv-cache', 'budget', 'model-context', 'max-num-seqs', 'no-gpu']);

/** `vramkit estimate <model> --engine … --json`. */
export const ServeOutputSchema = z.strictObject({
  schema: z.literal('vramkit/serve@1'),
  model: z.strictObject({ name: z.string(), argument: z.string() }),
  format: z.string(),
  context: z.number().int().positive(),
  batch: z.number().int().positive(),
  bytes: GpuBytesSchema.shape.bytes.describe('the most loaded GPU'),
  gpus: z.array(GpuBytesSchema),
  engine: EngineFiguresSchema,
  hostBytes: bytes.optional().describe('llama.cpp: bytes that stay in CPU RAM (same as engine.hostBytes)'),
  fits: z.boolean(),
  binding: BindingSchema,
  refusal: z.string().optional().describe("the engine's refusal to start, with its remedy"),
  throughput: z
    .strictObject({
      decodeTokensPerSecond: z.number().positive(),
      prefillTokensPerSecond: z.number().positive().optional(),
      note: z.string(),
    })
    .optional(),
  speculative: SpeculativeSchema.optional(),
  breakdown: z.union([
    z.strictObject({ total: bytes, parts: z.record(z.string(), PartSchema) }),
    z.strictObject({
      devices: z.array(z.strictObject({ total: bytes, parts: z.record(z.string(), PartSchema) })),
      host: z.strictObject({ total: bytes, parts: z.record(z.string(), PartSchema) }),
    }),
  ]),
  assumptions: z.array(z.string()),
});

/** `vramkit fit --json`. */
export const FitOutputSchema = z.strictObject({
  schema: z.literal('vramkit/fit@1'),
  model: z.strictObject({ name: z.string(), argument: z.string() }),
  engine: EngineFiguresSchema.shape.name,
  gpus: z.array(z.string()),
  contexts: z.array(z.number().int().positive()),
  draft: z
    .strictObject({
      model: z.string().nullable().describe('the draft model as given (null: the model own MTP layers)'),
      method: z.enum(['draft', 'eagle', 'eagle3', 'mtp']),
      format: z.string().describe("the draft's weight format"),
      draftTokens: z.number().int().positive(),
      weightBytes: bytes.describe('draft weights on the most loaded GPU'),
      kvCacheBytes: bytes.describe('draft KV cache on the most loaded GPU at `context`'),
      context: z.number().int().positive(),
    })
    .optional()
    .describe('speculative decoding: the draft every row counts'),
  rows: z.array(
    z.strictObject({
      format: z.string(),
      weightBytes: bytes,
      maxContext: z.number().int().nonnegative(),
      maxContextBinding: BindingSchema,
      maxBatch: z.record(z.string(), z.number().int().nonnegative()).describe('context → sequences that fit'),
      gpuLayers: z.number().int().nonnegative().optional(),
      totalLayers: z.number().int().positive().optional(),
    }),
  ),
});

/** `vramkit compare --json`. */
export const CompareOutputSchema = z.strictObject({
  schema: z.literal('vramkit/compare@1'),
  model: z.strictObject({ name: z.string(), argument: z.string() }),
  results: z.array(
    z.strictObject({
      gpu: z.string(),
      engine: EngineFiguresSchema.shape.name,
      format: z.string(),
      bytes: GpuBytesSchema.shape.bytes,
      gpus: z.array(GpuBytesSchema),
      engineFigures: EngineFiguresSchema,
      fits: z.boolean(),
      binding: BindingSchema,
      decodeTokensPerSecond: z.number().positive().optional(),
      speculative: SpeculativeSchema.optional(),
    }),
  ),
});
