import type { Architecture } from '../model/architecture.js';
import { type BreakdownPart, part } from '../memory/breakdown.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { type FormatContext, plainFormats, weightBytes, type WeightFormat } from '../formats/weight-format.js';
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
  /** γ: most tokens drafted per step (llama.cpp `--spec-draft-n-max`, vLLM `num_speculative_tokens`). */
  draftTokens?: number;
  /** llama.cpp `--spec-draft-n-min`: a draft shorter than this is dropped (default 0). */
  draftMinTokens?: number;
  /** llama.cpp `--spec-draft-p-min`: drafting stops at a token whose draft probability is below this (default 0). */
  draftPMin?: number;
  /**
   * β: probability a drafted position clears `draftPMin` (a model input). Default 1 when `draftPMin` is 0
   * (every probability clears it: exact), else α (an ideal gate that cuts only tokens the target rejects).
   */
  draftPassRate?: number;
  /** α: probability the target accepts a drafted token; default {@link DEFAULT_ACCEPTANCE_RATE}. */
  acceptanceRate?: number;
  /** llama.cpp `-ngld`: draft layers on the GPU (default all). */
  gpuLayers?: number;
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
  /** llama.cpp: cells of the draft context (the target's `-c`, shared by its `-np` sequences). */
  context?: number;
  /** The drafting rule as applied (llama.cpp: n_min, p_min and the pass rate β; vLLM: a fixed γ). */
  drafting: DraftingRule;
  /** Bytes the draft adds on the most loaded GPU (also `bytes.draft` there). */
  bytes: number;
  /** llama.cpp: bytes the draft keeps in host RAM. */
  hostBytes?: number;
  /** Expected decode speed-up from {@link speculativeDecoding} (a model); absent without a speed figure. */
  speedup?: number;
  /** Expected tokens per target step (1 + accepted), from {@link speculativeStep}. */
  tokensPerStep?: number;
  /** Expected tokens drafted and accepted per step, and draft forward passes per step. */
  draftedTokens?: number;
  acceptedTokens?: number;
  draftPasses?: number;
  decodeTokensPerSecond?: number;
  note: string;
}

/**
 * Default acceptance rate α: 0.7, inside the 0.62–0.82 that Leviathan et al. 2023 (arXiv:2211.17192,
 * table 3) measure for T5-small/base/large drafting for T5-XXL. A model input: pass your own measured α.
 */
export const DEFAULT_ACCEPTANCE_RATE = 0.7;

/** Settings of {@link SpeculativeServing} that only some engines take (each engine's `settings`). */
export const SPECULATIVE_ENGINE_SETTINGS = [
  'gpuLayers',
  'cacheTypeK',
  'cacheTypeV',
  'draftMinTokens',
  'draftPMin',
  'draftPassRate',
] as const;
type EngineSetting = (typeof SPECULATIVE_ENGINE_SETTINGS)[number];

/** How one engine drafts and verifies, as its source says. */
export interface SpeculationRules {
  /** Methods it runs. */
  methods: readonly SpeculativeMethod[];
  /** γ when none is given with a draft model (undefined: the engine requires it). */
  defaultDraftTokens?: number;
  /** Drafting stops early at a low-probability token (`p_min`) and drops short drafts (`n_min`). */
  stopsEarly: boolean;
  /** The draft model re-decodes each verified batch (one more draft pass per step). */
  reevaluates: boolean;
  /** Settings only this engine takes. */
  settings: readonly EngineSetting[];
  /** The engine's own name for γ (llama.cpp's n_max, vLLM's num_speculative_tokens), for notes. */
  draftTokensName: string;
  /** Where the rules come from. */
  source: string;
}

/**
 * Each engine's speculative decoding. llama.cpp (common/common.h common_params_speculative_draft: n_max 3,
 * n_min 0, p_min 0; common/speculative.cpp common_speculative_impl_draft_simple::draft stops at the first
 * token below p_min or at n_max, and drops a draft shorter than n_min; tools/server/server-context.cpp
 * re-decodes every verified batch on the draft context, TAG_SPEC_AVOID_DRAFT_REEVAL). vLLM
 * (vllm/config/speculative.py, vllm/v1/spec_decode/eagle.py propose): draft_model, eagle, eagle3, mtp, always
 * `num_speculative_tokens` drafts, required with a draft model or EAGLE head and the model's MTP layer count
 * (n_predict) for mtp. transformers: assisted generation is not modelled.
 */
export const SPECULATION_RULES: Readonly<Record<EngineId, SpeculationRules>> = {
  'llama.cpp': {
    methods: ['draft'],
    defaultDraftTokens: 3,
    stopsEarly: true,
    reevaluates: true,
    settings: ['gpuLayers', 'cacheTypeK', 'cacheTypeV', 'draftMinTokens', 'draftPMin', 'draftPassRate'],
    draftTokensName: 'n_max',
    source: 'common/speculative.cpp draft_simple::draft, common/common.h, tools/server/server-context.cpp',
  },
  vllm: {
    methods: ['draft', 'eagle', 'eagle3', 'mtp'],
    stopsEarly: false,
    reevaluates: false,
    settings: [],
    draftTokensName: 'num_speculative_tokens',
    source: 'vllm/config/speculative.py, vllm/v1/spec_decode/eagle.py',
  },
  transformers: {
    methods: [],
    stopsEarly: false,
    reevaluates: false,
    settings: [],
    draftTokensName: 'num_assistant_tokens',
    source: 'not modelled',
  },
};

/** Which methods each engine runs (from {@link SPECULATION_RULES}). */
export const SPECULATIVE_METHODS: Readonly<Record<EngineId, readonly SpeculativeMethod[]>> = {
  'llama.cpp': SPECULATION_RULES['llama.cpp'].methods,
  vllm: SPECULATION_RULES.vllm.methods,
  transformers: SPECULATION_RULES.transformers.methods,
};

/** The drafting rule of one run: at most `maxTokens`, at least `minTokens`, each position passing p_min with β. */
export interface DraftingRule {
  /** γ: most tokens drafted per step. */
  maxTokens: number;
  /** Drafts shorter than this are dropped (the step decodes one token). */
  minTokens: number;
  /** The draft probability a token needs (0: no early stop). */
  pMin: number;
  /** β: probability a drafted position clears `pMin` (1 when `pMin` is 0). */
  passRate: number;
  /** The draft re-decodes the verified batch each step (llama.cpp). */
  reevaluates: boolean;
}

/** The speculative settings resolved for an engine: method, drafting rule, α, the draft model. */
export interface ResolvedSpeculation {
  method: SpeculativeMethod;
  /** γ (the drafting rule's `maxTokens`). */
  draftTokens: number;
  drafting: DraftingRule;
  acceptanceRate: number;
  /** The draft as a model of its own; for `mtp` the target's MTP layers as decoder layers. */
  draft: PreparedModel;
  notes: string[];
}

function refuse(path: string, message: string, received: unknown): never {
  throw new InvalidInputError([{ path, message, received }]);
}

/**
 * Checks speculative settings against what the engine runs and fills their defaults.
 * @throws InvalidInputError at `speculative.*` for a method or setting the engine does not take, a missing
 * draft model or γ, an α or p_min outside [0, 1), a β below α, or n_min above γ
 */
export function resolveSpeculation(
  engine: EngineId,
  s: SpeculativeServing,
  target: PreparedModel,
): ResolvedSpeculation {
  const rules = SPECULATION_RULES[engine];
  const method = s.method ?? 'draft';
  const methods = rules.methods;
  if (!methods.includes(method)) {
    const takers = (Object.keys(SPECULATION_RULES) as EngineId[]).filter((e) =>
      SPECULATION_RULES[e].methods.includes(method),
    );
    refuse(
      'speculative.method',
      methods.length === 0
        ? `${engine} speculative decoding is not modelled; ${takers.join(' and ')} run ${method === 'draft' ? 'a draft model' : method}`
        : `${engine} does not run ${method} speculation (it runs ${methods.join(', ')}); ${takers.join(' and ')} ${takers.length === 1 ? 'does' : 'do'}`,
      method,
    );
  }
  for (const key of SPECULATIVE_ENGINE_SETTINGS)
    if (s[key] !== undefined && !rules.settings.includes(key)) {
      const takers = (Object.keys(SPECULATION_RULES) as EngineId[]).filter((e) =>
        SPECULATION_RULES[e].settings.includes(key),
      );
      refuse(`speculative.${key}`, `a ${takers.join(' and ')} draft setting; ${engine} does not take it`, s[key]);
    }
  const notes: string[] = [];
  let draft: PreparedModel;
  if (method === 'mtp') {
    if (s.draft !== undefined)
      refuse(
        'speculative.draft',
        "mtp speculation drafts with the model's own MTP layers; give no draft model",
        'draft model',
      );
    draft = mtpDraft(target);
  } else {
    if (s.draft === undefined)
      refuse(
        'speculative.draft',
        `${method === 'draft' ? 'a draft model' : `an ${method} head checkpoint`} is needed for ${method} speculation`,
        undefined,
      );
    draft = prepared(s.draft);
  }
  let draftTokens = s.draftTokens;
  if (draftTokens === undefined) {
    draftTokens = method === 'mtp' ? target.arch.mtpLayers : rules.defaultDraftTokens;
    if (draftTokens === undefined)
      refuse(
        'speculative.draftTokens',
        `${engine} needs the number of speculative tokens with a ${method === 'draft' ? 'draft model' : `${method} head`} (${rules.draftTokensName})`,
        undefined,
      );
    notes.push(
      method === 'mtp'
        ? `speculative tokens: ${draftTokens}, the model's MTP layers (vLLM's n_predict default)`
        : `speculative tokens: at most ${draftTokens}, ${engine}'s ${rules.draftTokensName} default`,
    );
  }
  requireInt(draftTokens, 1, 'speculative.draftTokens', 'speculative tokens (γ)');
  const acceptanceRate = s.acceptanceRate ?? DEFAULT_ACCEPTANCE_RATE;
  requireRange(acceptanceRate, 0, 0.999, 'speculative.acceptanceRate', 'acceptance rate (α)');
  if (s.acceptanceRate === undefined)
    notes.push(
      `acceptance rate α = ${DEFAULT_ACCEPTANCE_RATE} assumed (Leviathan et al. 2023, table 3: 0.62–0.82 for T5 drafts); give a measured one`,
    );
  const drafting = draftingRule(rules, s, draftTokens, acceptanceRate, notes);
  return { method, draftTokens, drafting, acceptanceRate, draft, notes };
}

/** The drafting rule with the engine's defaults; a note states the pass-rate assumption when p_min > 0. */
function draftingRule(
  rules: SpeculationRules,
  s: SpeculativeServing,
  maxTokens: number,
  alpha: number,
  notes: string[],
): DraftingRule {
  if (!rules.stopsEarly) return { maxTokens, minTokens: 0, pMin: 0, passRate: 1, reevaluates: rules.reevaluates };
  const minTokens = s.draftMinTokens ?? 0;
  requireInt(minTokens, 0, 'speculative.draftMinTokens', 'minimum draft tokens');
  if (minTokens > maxTokens)
    refuse(
      'speculative.draftMinTokens',
      `minimum draft tokens ${minTokens} is above the most drafted (${maxTokens}): every draft would be dropped; lower it or raise \`speculative.draftTokens\``,
      minTokens,
    );
  const pMin = s.draftPMin ?? 0;
  requireRange(pMin, 0, 1, 'speculative.draftPMin', 'minimum draft probability (p_min)');
  let passRate = s.draftPassRate;
  if (passRate === undefined) {
    // p_min 0 passes every token (probabilities are ≥ 0): exact. Above 0: the ideal gate β = α, an upper bound.
    passRate = pMin === 0 ? 1 : alpha;
    if (pMin > 0)
      notes.push(
        `draft pass rate β = α = ${alpha} assumed for p_min ${pMin}: drafting stops exactly at the first token the target would reject (an upper bound on the speed-up; give a measured β)`,
      );
  } else {
    requireRange(passRate, 0, 1, 'speculative.draftPassRate', 'draft pass rate (β)');
    if (pMin === 0 && passRate !== 1)
      refuse(
        'speculative.draftPassRate',
        'with p_min 0 every drafted token passes (β = 1); set `speculative.draftPMin` for a lower pass rate',
        passRate,
      );
  }
  if (passRate < alpha)
    refuse(
      'speculative.draftPassRate',
      `pass rate β ${passRate} is below the acceptance rate α ${alpha}: the gate would cut tokens the target accepts, which the model does not cover; give β ≥ α`,
      passRate,
    );
  return { maxTokens, minTokens, pMin, passRate, reevaluates: rules.reevaluates };
}

/** What one speculative step yields, in expectation (from {@link speculativeStep}). */
export interface SpeculativeStep {
  /** Tokens the draft proposes and the target verifies (dropped drafts count 0). */
  draftedTokens: number;
  /** Drafted tokens the target accepts. */
  acceptedTokens: number;
  /** Tokens the step adds: the accepted ones plus the target's own. */
  tokensPerStep: number;
  /** Draft forward passes (a pass per drafted token, the one that stops early, and a re-decode if any). */
  draftPasses: number;
}

/**
 * Expected tokens per speculative step under a drafting rule, in closed form. Acceptance: each drafted token
 * is accepted independently with α and verification stops at the first rejection (Leviathan et al. 2023,
 * arXiv:2211.17192, §3.1, the i.i.d. assumption). Stopping (llama.cpp common/speculative.cpp draft_simple::draft):
 * position i is drafted only if positions 1..i−1 cleared p_min, each with probability β, up to γ; a draft shorter
 * than n_min is dropped. The gate is assumed to cut only tokens the target would reject, so a drafted token is
 * accepted with α / β. With β = 1 and n_min = 0 this is Leviathan's (1 − α^(γ+1)) / (1 − α) tokens per step.
 */
export function speculativeStep(rule: DraftingRule, acceptanceRate: number): SpeculativeStep {
  const { maxTokens: n, minTokens: m, passRate: beta } = rule;
  const a = beta > 0 ? acceptanceRate / beta : 0;
  let drafted = 0;
  let accepted = 0;
  let passes = rule.reevaluates ? 1 : 0;
  let acceptedIfK = 0; // Σ_{i ≤ k} a^i: expected accepted tokens of a k-token draft
  for (let k = 0; k <= n; k++) {
    if (k > 0) acceptedIfK += a ** k;
    // Drafting stops at k: positions 1..k passed and k+1 failed, or k reached γ.
    const pk = k < n ? beta ** k * (1 - beta) : beta ** n;
    // Passes: one per drafted token plus the one whose sample failed the gate (none after the γ-th).
    passes += pk * (k < n ? k + 1 : n);
    if (k < m || k === 0) continue;
    drafted += pk * k;
    accepted += pk * acceptedIfK;
  }
  return { draftedTokens: drafted, acceptedTokens: accepted, tokensPerStep: 1 + accepted, draftPasses: passes };
}

/**
 * The target's multi-token-prediction layers as a model of their own: `mtpLayers` copies of the last
 * decoder layer (DeepSeek-V3's MTP module is one full decoder layer plus a projection), for the KV cache and
 * the draft step's speed; its weights come from {@link draftWeightBytes}.
 * @throws InvalidInputError at `speculative.method` when the model has no MTP layers
 */
function mtpDraft(target: PreparedModel): PreparedModel {
  const arch = target.arch;
  const last = arch.layers[arch.layers.length - 1];
  if (arch.mtpLayers <= 0 || !last)
    refuse(
      'speculative.method',
      'this model has no MTP layers (num_nextn_predict_layers); use a draft model or an EAGLE head',
      'mtp',
    );
  return prepared({
    ...arch,
    layers: Array.from({ length: arch.mtpLayers }, () => last),
    mtpLayers: 0,
  });
}

/**
 * Bytes of the draft's weights in a format. For `mtp`, exactly what vLLM allocates for its MTP drafter
 * (vllm/model_executor/models/deepseek_mtp.py DeepSeekMultiTokenPredictorLayer: enorm, hnorm, eh_proj,
 * shared_head norm and head, one decoder layer): the checkpoint's MTP tensors in the target's format, less
 * the embedding, which vllm/v1/spec_decode/eagle.py load_model shares with the target ("Detected MTP
 * model") — the shared_head's own head is loaded, not shared — and eh_proj, a plain nn.Linear, unquantized.
 */
export function draftWeightBytes(r: ResolvedSpeculation, target: PreparedModel, format: WeightFormat): BreakdownPart {
  if (r.method !== 'mtp') {
    const w = r.draft.weightsIn(format).total;
    return part(w, `draft weights in ${format.id}`, { accuracy: 'exact' });
  }
  const tensors = target.tensors.filter((t) => t.mtp && t.role !== 'token_embd');
  const ctx: FormatContext = { arch: target.arch, numLayers: target.arch.layers.length };
  // eh_proj is a plain nn.Linear in vLLM: never quantized, in the model dtype (2 bytes unless f32).
  const dense = format.id === 'f32' || format.id === 'f16' || format.id === 'bf16' ? format : plainFormats.bf16;
  const ehProj = tensors.filter((t) => t.role === 'nextn_eh_proj');
  const rest = tensors.filter((t) => t.role !== 'nextn_eh_proj');
  const bytes =
    weightBytes(rest, format, ctx, { includeMtp: true }).total +
    weightBytes(ehProj, dense, ctx, { includeMtp: true }).total;
  let params = 0;
  for (const t of tensors) params += t.shape.reduce((x, d) => x * d, 1);
  return part(
    bytes,
    `MTP layers: ${params.toLocaleString('en-US')} parameters in ${format.id}, eh_proj in ${dense.id} (enorm, hnorm, eh_proj, shared_head, one decoder layer each; the embedding is the target's, shared)`,
    { accuracy: 'exact' },
  );
}
