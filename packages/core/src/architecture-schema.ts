import * as v from 'valibot';
import type { Architecture } from './architecture.js';
import { integerAtLeast, parseOrThrow } from './validate.js';

const dim = (what: string) => integerAtLeast(1, what);

const softmax = v.object({
  kind: v.picklist(['full', 'sliding', 'chunked']),
  numHeads: dim('numHeads'),
  numKvHeads: dim('numKvHeads'),
  headDim: dim('headDim'),
  vHeadDim: dim('vHeadDim'),
  window: v.optional(dim('window')),
  qkNorm: v.picklist(['none', 'per-head', 'full']),
  qkvBias: v.boolean(),
  outBias: v.boolean(),
  fusedQkv: v.optional(v.picklist(['qkv_proj', 'c_attn', 'query_key_value'])),
  gatedOutput: v.optional(v.boolean()),
  sinks: v.optional(v.boolean()),
  mla: v.optional(
    v.object({
      qLoraRank: integerAtLeast(0, 'qLoraRank'),
      kvLoraRank: dim('kvLoraRank'),
      qkNopeHeadDim: integerAtLeast(0, 'qkNopeHeadDim'),
      qkRopeHeadDim: integerAtLeast(0, 'qkRopeHeadDim'),
      vHeadDim: dim('vHeadDim'),
    }),
  ),
});

const linear = v.object({
  kind: v.literal('linear'),
  numKeyHeads: dim('numKeyHeads'),
  numValueHeads: dim('numValueHeads'),
  keyHeadDim: dim('keyHeadDim'),
  valueHeadDim: dim('valueHeadDim'),
  convKernel: dim('convKernel'),
});

const mamba = v.object({
  kind: v.literal('mamba'),
  intermediateSize: dim('intermediateSize'),
  stateSize: dim('stateSize'),
  convKernel: dim('convKernel'),
  dtRank: dim('dtRank'),
  bias: v.boolean(),
  convBias: v.boolean(),
});

const dense = v.object({
  kind: v.literal('dense'),
  gated: v.boolean(),
  intermediateSize: integerAtLeast(0, 'intermediateSize'),
  bias: v.boolean(),
  naming: v.optional(v.picklist(['llama', 'fused_gate_up', 'gpt2', 'neox'])),
});

const moe = v.pipe(
  v.object({
    kind: v.literal('moe'),
    numExperts: dim('numExperts'),
    topK: dim('topK'),
    expertIntermediateSize: dim('expertIntermediateSize'),
    gated: v.boolean(),
    expertBias: v.boolean(),
    routerBias: v.boolean(),
    routerCorrectionBias: v.boolean(),
    shared: v.optional(v.object({ intermediateSize: dim('shared.intermediateSize'), gate: v.boolean() })),
  }),
  v.check((m) => m.topK <= m.numExperts, 'topK must not exceed numExperts'),
);

const layer = v.object({
  attention: v.variant('kind', [softmax, linear, mamba]),
  mlp: v.variant('kind', [dense, moe]),
  norms: v.array(v.string()),
  parallelBlock: v.optional(v.boolean()),
});

/** valibot schema of {@link Architecture}, for callers who build one by hand. */
export const ArchitectureSchema = v.object({
  family: v.pipe(v.string(), v.minLength(1, 'family must name the model_type')),
  vocabSize: dim('vocabSize'),
  hiddenSize: dim('hiddenSize'),
  layers: v.pipe(v.array(layer), v.minLength(1, 'an architecture needs at least one layer')),
  tiedEmbeddings: v.boolean(),
  outputBias: v.optional(v.boolean()),
  learnedPositions: integerAtLeast(0, 'learnedPositions'),
  norm: v.picklist(['rmsnorm', 'layernorm']),
  finalNorm: v.boolean(),
  mtpLayers: integerAtLeast(0, 'mtpLayers'),
  maxPositionEmbeddings: v.optional(dim('maxPositionEmbeddings')),
  naming: v.optional(v.picklist(['llama', 'gpt2', 'neox', 'falcon', 'mamba'])),
  notes: v.optional(v.array(v.string())),
});

/**
 * Checks a hand-built architecture. Objects from `@vramkit/models` are already valid.
 * @throws InvalidInputError naming each bad field under `architecture.`
 */
export function validateArchitecture(arch: unknown): Architecture {
  parseOrThrow(ArchitectureSchema, arch, 'architecture');
  return arch as Architecture;
}
