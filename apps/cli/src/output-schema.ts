import { z } from 'zod';
import { CompareOutputSchema, FitOutputSchema, ServeOutputSchema } from './serve/output-schemas.js';
import { PartSchema } from './part-schema.js';
import { TrainOutputSchema } from './train/train-output-schema.js';

const bytes = z.number().int().nonnegative().describe('bytes (integer)');

const ModelSchema = z.object({
  argument: z.string().describe('the model argument as given'),
  name: z.string(),
  source: z.string().describe('file:<path> or catalogue:<hub id>'),
  family: z.string().describe('model_type'),
  layers: z.number().int().positive(),
});

const ParametersSchema = z.object({
  total: z.number().int().nonnegative().describe('parameters used at inference (MTP excluded)'),
  active: z.number().int().nonnegative().describe('parameters touched per token (MoE: routed share only)'),
  checkpointTotal: z.number().int().nonnegative().describe('parameters in the checkpoint, MTP included'),
  breakdown: z.record(z.string(), z.number().int().nonnegative()),
});

/** `vramkit estimate --json` (inference). Field names are stable. */
export const EstimateOutputSchema = z.object({
  schema: z.literal('vramkit/estimate@1'),
  mode: z.literal('inference'),
  model: ModelSchema,
  parameters: ParametersSchema,
  format: z.string().describe('weight format id'),
  workload: z.record(z.string(), z.unknown()).describe('the workload after defaults'),
  bytes: z.object({
    total: bytes,
    weights: bytes,
    kvCache: bytes,
    activations: bytes,
    overhead: bytes,
  }),
  breakdown: z.record(z.string(), PartSchema),
  assumptions: z.array(z.string()),
  warnings: z.array(z.string()),
});

/** `vramkit inspect --json`. */
export const InspectOutputSchema = z.object({
  schema: z.literal('vramkit/inspect@1'),
  model: ModelSchema,
  parameters: ParametersSchema,
  architecture: z.record(z.string(), z.unknown()).describe('the normalized Architecture'),
  tensors: z
    .array(
      z.object({
        name: z.string(),
        role: z.string(),
        shape: z.array(z.number().int()),
        elements: z.number().int(),
        type: z.string().optional(),
        bytes: z.number().int().optional(),
      }),
    )
    .optional()
    .describe('with --tensors or --quant: every tensor, and the storage type the format chose'),
  format: z.string().optional(),
  warnings: z.array(z.string()),
});

export type EstimateOutput = z.infer<typeof EstimateOutputSchema>;
export type InspectOutput = z.infer<typeof InspectOutputSchema>;

/** Output schemas by name, for `vramkit schema <name>`. Other commands add theirs here. */
export const outputSchemas: Record<string, z.ZodType> = {
  estimate: EstimateOutputSchema,
  'estimate-serve': ServeOutputSchema,
  'estimate-train': TrainOutputSchema,
  fit: FitOutputSchema,
  compare: CompareOutputSchema,
  inspect: InspectOutputSchema,
};
