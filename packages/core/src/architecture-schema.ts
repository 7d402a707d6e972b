import * as v from 'valibot';
import type { Architecture, AttentionSpec, LayerSpec, MlpSpec } from './model/architecture.js';
import { InvalidInputError } from './errors/invalid-input-error.js';
import { INPUT_LIMITS, type InputLimitKind, integerAtLeast, parseOrThrow } from './validate.js';

/** An integer in `[min, INPUT_LIMITS[kind].max]`. */
const bounded = (min: number, what: string, kind: InputLimitKind = 'width') =>
  v.pipe(
    integerAtLeast(min, what),
    v.maxValue(INPUT_LIMITS[kind].max, `${what} must be ≤ ${INPUT_LIMITS[kind].max} (${INPUT_LIMITS[kind].reason})`),
  );
const dim = (what: string, kind: InputLimitKind = 'width') => bounded(1, what, kind);

const softmax = v.object({
  kind: v.picklist(['full', 'sliding', 'chunked']),
  numHeads: dim('numHeads', 'heads'),
  numKvHeads: dim('numKvHeads', 'heads'),
  headDim: dim('headDim'),
  vHeadDim: dim('vHeadDim'),
  window: v.optional(dim('window', 'context')),
  qkNorm: v.picklist(['none', 'per-head', 'full']),
  l2QkNorm: v.optional(v.boolean()),
  qkvBias: v.boolean(),
  outBias: v.boolean(),
  fusedQkv: v.optional(v.picklist(['qkv_proj', 'c_attn', 'query_key_value'])),
  gatedOutput: v.optional(v.boolean()),
  sinks: v.optional(v.boolean()),
  mla: v.optional(
    v.object({
      qLoraRank: bounded(0, 'qLoraRank'),
      kvLoraRank: dim('kvLoraRank'),
      qkNopeHeadDim: bounded(0, 'qkNopeHeadDim'),
      qkRopeHeadDim: bounded(0, 'qkRopeHeadDim'),
      vHeadDim: dim('vHeadDim'),
    }),
  ),
});

const linear = v.object({
  kind: v.literal('linear'),
  numKeyHeads: dim('numKeyHeads', 'heads'),
  numValueHeads: dim('numValueHeads', 'heads'),
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
  intermediateSize: bounded(0, 'intermediateSize'),
  bias: v.boolean(),
  naming: v.optional(v.picklist(['llama', 'fused_gate_up', 'gpt2', 'neox'])),
});

const moe = v.pipe(
  v.object({
    kind: v.literal('moe'),
    numExperts: dim('numExperts', 'experts'),
    topK: dim('topK', 'experts'),
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
  vocabSize: dim('vocabSize', 'vocab'),
  hiddenSize: dim('hiddenSize'),
  // The length is checked before any layer is, so 2^32 layers never get validated one by one.
  layers: v.pipe(
    v.array(v.unknown()),
    v.minLength(1, 'an architecture needs at least one layer'),
    v.maxLength(INPUT_LIMITS.layers.max, `at most ${INPUT_LIMITS.layers.max} layers (${INPUT_LIMITS.layers.reason})`),
    v.array(layer),
  ),
  tiedEmbeddings: v.boolean(),
  outputBias: v.optional(v.boolean()),
  learnedPositions: bounded(0, 'learnedPositions', 'context'),
  norm: v.picklist(['rmsnorm', 'layernorm']),
  embeddingNorm: v.optional(v.boolean()),
  finalNorm: v.boolean(),
  mtpLayers: bounded(0, 'mtpLayers', 'layers'),
  maxPositionEmbeddings: v.optional(dim('maxPositionEmbeddings', 'context')),
  naming: v.optional(v.picklist(['llama', 'gpt2', 'neox', 'falcon', 'mamba'])),
  notes: v.optional(v.array(v.string())),
});

/**
 * Checks a hand-built architecture. Objects from `@vramkit/models` are already valid.
 * @throws InvalidInputError naming each bad field under `architecture.`
 */
export function validateArchitecture(arch: unknown): Architecture {
  parseOrThrow(ArchitectureSchema, arch, 'architecture');
  const size = architectureSize(arch as Architecture);
  if (size.parameters > INPUT_LIMITS.parameters.max) {
    throw new InvalidInputError([{ path: `architecture.${size.largest}`, message: tooLargeMessage(size) }]);
  }
  return arch as Architecture;
}

/** A field of {@link Architecture} (or of its layers) that a size bound can blame. */
export type ArchitectureSizeField =
  | 'vocabSize'
  | 'hiddenSize'
  | 'layers'
  | 'numHeads'
  | 'headDim'
  | 'intermediateSize'
  | 'numExperts'
  | 'expertIntermediateSize'
  | 'stateSize';

/** Upper estimate of a model's parameters from its shape, and the field that weighs most against its bound. */
export interface ArchitectureSize {
  /** About the parameter count (within a small factor, never below the largest matrices). */
  parameters: number;
  /** The field whose value is largest relative to its {@link INPUT_LIMITS} bound among the biggest term's factors. */
  largest: ArchitectureSizeField;
  /** The factors of the biggest term, for the message. */
  term: readonly ArchitectureSizeField[];
}

const FIELD_LIMIT: Record<ArchitectureSizeField, InputLimitKind> = {
  vocabSize: 'vocab',
  hiddenSize: 'width',
  layers: 'layers',
  numHeads: 'heads',
  headDim: 'width',
  intermediateSize: 'width',
  numExperts: 'experts',
  expertIntermediateSize: 'width',
  stateSize: 'width',
};

function mixerTerm(a: AttentionSpec, hidden: number): [number, Partial<Record<ArchitectureSizeField, number>>] {
  if (a.kind === 'linear')
    return [hidden * 2 * (a.numKeyHeads * a.keyHeadDim + a.numValueHeads * a.valueHeadDim), { hiddenSize: hidden }];
  if (a.kind === 'mamba')
    return [
      a.intermediateSize * (3 * hidden + 2 * a.stateSize + a.dtRank),
      { hiddenSize: hidden, intermediateSize: a.intermediateSize, stateSize: a.stateSize },
    ];
  const ranks = a.mla
    ? (a.mla.qLoraRank + a.mla.kvLoraRank) *
      (hidden + a.numHeads * (a.mla.qkNopeHeadDim + a.mla.qkRopeHeadDim + a.mla.vHeadDim))
    : 0;
  return [
    hidden * (a.numHeads * (a.headDim + a.vHeadDim) + 2 * a.numKvHeads * a.headDim) + ranks,
    { hiddenSize: hidden, numHeads: a.numHeads, headDim: a.headDim },
  ];
}

function mlpTerm(m: MlpSpec, hidden: number): [number, Partial<Record<ArchitectureSizeField, number>>] {
  if (m.kind === 'dense')
    return [3 * hidden * m.intermediateSize, { hiddenSize: hidden, intermediateSize: m.intermediateSize }];
  return [
    3 * hidden * (m.numExperts * m.expertIntermediateSize + (m.shared?.intermediateSize ?? 0)),
    { hiddenSize: hidden, numExperts: m.numExperts, expertIntermediateSize: m.expertIntermediateSize },
  ];
}

/**
 * Sizes an architecture from its hyper-parameters alone (no tensor is built), so that a shape whose
 * parameter count would leave the safe-integer range is refused before anything is allocated.
 * @returns about the parameter count and the field to blame when it is too large
 */
export function architectureSize(arch: Architecture): ArchitectureSize {
  const terms: [number, Partial<Record<ArchitectureSizeField, number>>][] = [
    [2 * arch.vocabSize * arch.hiddenSize, { vocabSize: arch.vocabSize, hiddenSize: arch.hiddenSize }],
  ];
  const counts = new Map<LayerSpec, number>();
  for (const l of arch.layers) counts.set(l, (counts.get(l) ?? 0) + 1);
  const n = arch.layers.length + arch.mtpLayers;
  for (const [l, count] of counts) {
    const scale = arch.layers.length === 0 ? 0 : (count * n) / arch.layers.length;
    for (const [value, fields] of [mixerTerm(l.attention, arch.hiddenSize), mlpTerm(l.mlp, arch.hiddenSize)])
      terms.push([value * scale, { layers: n, ...fields }]);
  }
  let parameters = 0;
  let biggest = terms[0]!;
  for (const t of terms) {
    parameters += t[0];
    if (t[0] > biggest[0]) biggest = t;
  }
  const factors = Object.entries(biggest[1]) as [ArchitectureSizeField, number][];
  let largest = factors[0]![0];
  let worst = -1;
  for (const [field, value] of factors) {
    const ratio = value / INPUT_LIMITS[FIELD_LIMIT[field]].max;
    if (ratio > worst) [largest, worst] = [field, ratio];
  }
  return { parameters, largest, term: factors.map(([f]) => f) };
}

function tooLargeMessage(size: ArchitectureSize): string {
  return `${size.term.join(' × ')} gives about ${size.parameters.toExponential(2)} parameters, above the limit of ${INPUT_LIMITS.parameters.max.toExponential(2)} (${INPUT_LIMITS.parameters.reason}); check ${size.largest}`;
}
