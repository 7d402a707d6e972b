import type { Architecture } from '../model/architecture.js';
import { type BreakdownPart, part } from '../memory/breakdown.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { PreparedModel } from '../model/prepare-model.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { prepared, requireInt, requireRange } from './devices.js';
import type { EngineId } from './engine-profiles.js';

/**
 * How the engine drafts: a separate draft model (llama.cpp `-md`, vLLM `draft_model`), EAGLE heads (a
 * small trained model, vLLM `eagle`/`eagle3`), or the target's own multi-token-prediction layers (vLLM `mtp`).
 */
export type SpeculativeMethod = 'draft' | 'eagle' | 'eagle3' | 'mtp';

/** Speculative decoding as one engine runs it (ServingOptions.speculative). */
export interface SpeculativeServing {
  /** Default `draft` (a separate draft model). */
  method?: SpeculativeMethod;
  /** The draft model (or the EAGLE head's checkpoint); none for `mtp`, whose layers are the target's own. */
  draft?: Architecture | PreparedModel;
  /** The draft's weight format (llama.cpp: its GGUF file type). */
  draftFormat?: WeightFormat;
  /** γ: tokens drafted per step (llama.cpp `--draft-max`, vLLM `num_speculative_tokens`). */
  draftTokens?: number;
  /** α: probability the target accepts a drafted token; default {@link DEFAULT_ACCEPTANCE_RATE}. */
  acceptanceRate?: number;
  /** llama.cpp `-ngld`: draft layers on the GPU (default all). */
  gpuLayers?: number;
  /** llama.cpp `-cd`: cells of each draft context (default the target's cells per sequence). */
  ctxSize?: number;
  /** llama.cpp `-ctkd` / `-ctvd`: the draft's K and V cache types (default f16). */
  cacheTypeK?: string;
  cacheTypeV?: string;
}

/** What speculative decoding adds to a serving estimate. */
export interface SpeculativeFigures {
  method: SpeculativeMethod;
  draftTokens: number;
  acceptanceRate: number;
  /** llama.cpp: `-ngld` as applied. */
  gpuLayers?: number;
  /** llama.cpp: cells of each draft context (`-cd`), one context per `-np` slot. */
  context?: number;
  /** Bytes the draft adds on the most loaded GPU (also `bytes.draft` there). */
  bytes: number;
  /** llama.cpp: bytes the draft keeps in host RAM. */
  hostBytes?: number;
  /** Expected decode speed-up from {@link speculativeDecoding} (a model); absent without a speed figure. */
  speedup?: number;
  /** Expected tokens per target step: (1 − α^(γ+1)) / (1 − α). */
  tokensPerStep?: number;
  decodeTokensPerSecond?: number;
  note: string;
}

/**
 * Default acceptance rate α: 0.7, inside the 0.62–0.82 that Leviathan et al. 2023 (arXiv:2211.17192,
 * table 3) measure for T5-small/base/large drafting for T5-XXL. A model input: pass your own measured α.
 */
export const DEFAULT_ACCEPTANCE_RATE = 0.7;

/**
 * Which methods each engine runs and its default γ. llama.cpp: a draft model only (tools/server, common/arg.cpp
 * `-md`), `--draft-max` default 16 (common/common.h common_params_speculative n_max). vLLM
 * (vllm/config/speculative.py): draft_model, eagle, eagle3, mtp; `num_speculative_tokens` is required with a
 * draft model or EAGLE head and defaults to the model's MTP layer count (n_predict) for mtp.
 * transformers: assisted generation is not modelled.
 */
export const SPECULATIVE_METHODS: Readonly<Record<EngineId, readonly SpeculativeMethod[]>> = {
  'llama.cpp': ['draft'],
  vllm: ['draft', 'eagle', 'eagle3', 'mtp'],
  transformers: [],
};
const DEFAULT_DRAFT_TOKENS: Partial<Record<EngineId, number>> = { 'llama.cpp': 16 };
const LLAMA_ONLY = ['gpuLayers', 'ctxSize', 'cacheTypeK', 'cacheTypeV'] as const;

/** The speculative settings resolved for an engine: method, γ, α, the draft model (`mtp`: the target's MTP layers). */
export interface ResolvedSpeculation {
  method: SpeculativeMethod;
  draftTokens: number;
  acceptanceRate: number;
  /** The draft as a model of its own; for `mtp` the target's MTP layers as decoder layers. */
  draft: PreparedModel;
  notes: string[];
}

/**
 * Checks speculative settings against what the engine runs and fills their defaults.
 * @throws InvalidInputError at `speculative.*` for a method or setting the engine does not take, a missing
 * draft model or γ, or an α outside [0, 0.999]
 */
export function resolveSpeculation(
  engine: EngineId,
  s: SpeculativeServing,
  target: PreparedModel,
): ResolvedSpeculation {
  const method = s.method ?? 'draft';
  const methods = SPECULATIVE_METHODS[engine];
  if (!methods.includes(method)) {
    const takers = (Object.keys(SPECULATIVE_METHODS) as EngineId[]).filter((e) =>
      SPECULATIVE_METHODS[e].includes(method),
    );
    throw new InvalidInputError([
      {
        path: 'speculative.method',
        message:
          methods.length === 0
            ? `${engine} speculative decoding is not modelled; ${takers.join(' and ')} run ${method === 'draft' ? 'a draft model' : method}`
            : `${engine} does not run ${method} speculation (it runs ${methods.join(', ')}); ${takers.join(' and ')} ${takers.length === 1 ? 'does' : 'do'}`,
        received: method,
      },
    ]);
  }
  if (engine !== 'llama.cpp')
    for (const key of LLAMA_ONLY)
      if (s[key] !== undefined)
        throw new InvalidInputError([
          {
            path: `speculative.${key}`,
            message: `a llama.cpp draft setting; ${engine} does not take it`,
            received: s[key],
          },
        ]);
  const notes: string[] = [];
  let draft: PreparedModel;
  if (method === 'mtp') {
    if (s.draft !== undefined)
      throw new InvalidInputError([
        {
          path: 'speculative.draft',
          message: "mtp speculation drafts with the model's own MTP layers; give no draft model",
          received: 'draft model',
        },
      ]);
    draft = mtpDraft(target);
  } else {
    if (s.draft === undefined)
      throw new InvalidInputError([
        {
          path: 'speculative.draft',
          message: `${method === 'draft' ? 'a draft model' : `an ${method} head checkpoint`} is needed for ${method} speculation`,
          received: undefined,
        },
      ]);
    draft = prepared(s.draft);
  }
  let draftTokens = s.draftTokens;
  if (draftTokens === undefined) {
    draftTokens = method === 'mtp' ? target.arch.mtpLayers : DEFAULT_DRAFT_TOKENS[engine];
    if (draftTokens === undefined)
      throw new InvalidInputError([
        {
          path: 'speculative.draftTokens',
          message: `${engine} needs the number of speculative tokens with a ${method === 'draft' ? 'draft model' : `${method} head`} (num_speculative_tokens)`,
          received: undefined,
        },
      ]);
    notes.push(
      method === 'mtp'
        ? `speculative tokens: ${draftTokens}, the model's MTP layers (vLLM's n_predict default)`
        : `speculative tokens: ${draftTokens}, llama.cpp's --draft-max default (it stops a draft early below --draft-p-min, so fewer are typical)`,
    );
  }
  requireInt(draftTokens, 1, 'speculative.draftTokens', 'speculative tokens (γ)');
  const acceptanceRate = s.acceptanceRate ?? DEFAULT_ACCEPTANCE_RATE;
  requireRange(acceptanceRate, 0, 0.999, 'speculative.acceptanceRate', 'acceptance rate (α)');
  if (s.acceptanceRate === undefined)
    notes.push(
      `acceptance rate α = ${DEFAULT_ACCEPTANCE_RATE} assumed (Leviathan et al. 2023, table 3: 0.62–0.82 for T5 drafts); give a measured one`,
    );
  return { method, draftTokens, acceptanceRate, draft, notes };
}

/**
 * The target's multi-token-prediction layers as a model of their own: `mtpLayers` copies of the last
 * decoder layer (DeepSeek-V3's MTP module is one full decoder layer plus a projection), sharing the target's
 * embedding and head — so only the layers' weights count, from the checkpoint's MTP parameters.
 * @throws InvalidInputError at `speculative.method` when the model has no MTP layers
 */
function mtpDraft(target: PreparedModel): PreparedModel {
  const arch = target.arch;
  const last = arch.layers[arch.layers.length - 1];
  if (arch.mtpLayers <= 0 || !last)
    throw new InvalidInputError([
      {
        path: 'speculative.method',
        message: 'this model has no MTP layers (num_nextn_predict_layers); use a draft model or an EAGLE head',
        received: 'mtp',
      },
    ]);
  return prepared({
    ...arch,
    layers: Array.from({ length: arch.mtpLayers }, () => last),
    mtpLayers: 0,
  });
}

/**
 * Bytes of the draft's weights in a format. For `mtp`, the target checkpoint's MTP parameters at the
 * target's average bytes per parameter in that format (the embedding and head are the target's, shared).
 */
export function draftWeightBytes(r: ResolvedSpeculation, target: PreparedModel, format: WeightFormat): BreakdownPart {
  if (r.method !== 'mtp') {
    const w = r.draft.weightsIn(format).total;
    return part(w, `draft weights in ${format.id}`, { accuracy: 'exact' });
  }
  const perParam = target.weightsIn(format).total / Math.max(1, target.parameters.total);
  const bytes = Math.round(target.parameters.parts.mtp * perParam);
  return part(
    bytes,
    `MTP layers: ${target.parameters.parts.mtp.toLocaleString('en-US')} parameters at the model's ${perParam.toFixed(3)} B/parameter in ${format.id}`,
    { accuracy: 'model' },
  );
}
