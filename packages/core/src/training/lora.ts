import type { Architecture } from '../model/architecture.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { type Tensor, tensorElements } from '../model/tensor.js';
import type { TrainableTensor } from './optimizers.js';

/** What a PEFT adapter targets and how big it is (peft `LoraConfig`). */
export interface LoraOptions {
  /** `r`: rank of the A (r × in) and B (out × r) matrices. */
  rank: number;
  /** `lora_alpha`; scales the update, no effect on memory. Default `2 × rank`… only echoed. */
  alpha?: number;
  /**
   * `target_modules`: module names matched as peft does (a name equals the module's last path
   * component, or a dotted name is a suffix of its path), `all-linear` (every linear layer except the
   * output head), or `default` (peft's per-model-type default, e.g. q_proj + v_proj for Llama).
   */
  targets: readonly string[] | 'all-linear' | 'default';
  /** `modules_to_save`: modules trained in full (peft wraps a trainable copy beside the frozen original). */
  modulesToSave?: readonly string[];
  /** DoRA (`use_dora=True`): adds one magnitude vector of `out_features` per adapted module. */
  dora?: boolean;
  /**
   * How MoE experts appear to peft. `per-expert-linear`: one nn.Linear per expert (Mixtral, Qwen-MoE,
   * DeepSeek in transformers < 5), targetable by name; `parameter`: one fused 3-D parameter (gpt-oss,
   * Llama 4, transformers ≥ 5), which `target_modules` cannot reach. Default per family.
   */
  expertModules?: 'per-expert-linear' | 'parameter';
  /**
   * How transformers lays out the experts of families whose checkpoints store one linear per expert
   * (Mixtral, Qwen-MoE, DeepSeek, OLMoE). `split` (transformers < 5): one nn.Linear per expert and
   * projection. `fused` (transformers ≥ 5, default): one 3-D `gate_up_proj` and one `down_proj` per
   * layer, which peft (≥ 0.18) adapts with a ParamWrapper of rank `r × experts` — doubled to `2r` on
   * `gate_up_proj` so it matches split gate + up — reached by `all-linear` and by the split names.
   * Natively fused families (gpt-oss, Llama 4) are unaffected. Ignored when `expertModules` is set.
   */
  expertLayout?: ExpertLayout;
  /**
   * `target_parameters`: fused 3-D expert parameters adapted directly (peft's ParamWrapper), matched as
   * peft does: the parameter's path equals the name or ends with `.name` (`experts.gate_up_proj`,
   * `experts.down_proj`). The only way peft reaches the natively fused experts of gpt-oss and Llama 4;
   * on converted families under the fused layout it adds the parameters at rank `r` (the `2r` of a
   * fused `gate_up_proj` comes from naming both split projections in `targets`). With it, `targets`
   * may be empty.
   */
  targetParameters?: readonly string[];
  /** `lora_dropout`: peft's ParamWrapper refuses a non-zero dropout on a fused expert parameter. */
  dropout?: number;
}

/** transformers' MoE expert layout (see {@link LoraOptions.expertLayout}). */
export type ExpertLayout = 'fused' | 'split';

/**
 * The expert layout of the transformers version a config names (`transformers_version`): `split`
 * before 5.0, `fused` from 5.0 (transformers 5 fused the experts of converted MoE families).
 * @param version e.g. "4.51.0"; undefined → `fused` (the current release)
 */
export function expertLayoutOf(version: string | undefined): ExpertLayout {
  const major = version === undefined ? Number.NaN : Number.parseInt(version, 10);
  return Number.isFinite(major) && major < 5 ? 'split' : 'fused';
}

/** One adapted module (or `count` identical per-expert modules). */
export interface AdaptedModule {
  /** Module path, e.g. `model.layers.0.self_attn.q_proj` (experts: `…experts.*.gate_proj`). */
  path: string;
  module: string;
  inFeatures: number;
  outFeatures: number;
  count: number;
  layer?: number;
  /** LoRA rank of this module (`2r` on a fused `gate_up_proj`, as peft's rank pattern sets it). */
  rank: number;
  /** `r × (in + out)` per module (embeddings: A is r × vocab, B is hidden × r: the same sum). */
  loraParams: number;
  /** DoRA magnitude: `out_features` per module. */
  magnitudeParams: number;
  /** A fused 3-D expert parameter adapted by peft's ParamWrapper (`count` experts), not an nn.Linear. */
  parameter?: true;
}

/** The adapter layout of a model, exact as peft builds it. */
export interface AdapterPlan {
  modules: AdaptedModule[];
  /** Σ A and B elements. */
  loraParams: number;
  /** Σ DoRA magnitude elements. */
  magnitudeParams: number;
  /** Elements of `modules_to_save` copies (trained in full). */
  modulesToSaveParams: number;
  /** What peft prints as "trainable params". */
  trainable: number;
  /** The target names after resolving `default`. */
  targets: readonly string[] | 'all-linear';
  /** Names in `targets` that matched no module (they adapt nothing; peft only errors if none match). */
  unmatchedTargets: string[];
  /** Trainable tensors (A, B, magnitude, saved modules), for optimizer and gradient accounting. */
  tensors: TrainableTensor[];
  /** Adapted input tensors per layer, for activation accounting: module → in-features. */
  adaptedPerLayer: Map<number, AdaptedModule[]>;
}

// peft src/peft/utils/constants.py TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING (subset we model).
const DEFAULT_TARGETS: Record<string, readonly string[]> = {
  llama: ['q_proj', 'v_proj'],
  mistral: ['q_proj', 'v_proj'],
  mixtral: ['q_proj', 'v_proj'],
  qwen2: ['q_proj', 'v_proj'],
  gemma: ['q_proj', 'v_proj'],
  gemma2: ['q_proj', 'v_proj'],
  opt: ['q_proj', 'v_proj'],
  gpt2: ['c_attn'],
  bloom: ['query_key_value'],
  gpt_neox: ['query_key_value'],
  falcon: ['query_key_value'],
};

// Families whose experts are one nn.Linear per expert in transformers < 5.
const PER_EXPERT_LINEAR = new Set([
  'mixtral',
  'qwen2_moe',
  'qwen3_moe',
  'qwen3_next',
  'deepseek_v2',
  'deepseek_v3',
  'kimi_k2',
  'olmoe',
]);
// Routers that are a custom nn.Module with a bare Parameter (DeepSeek MoEGate), not nn.Linear.
// gpt-oss's GptOssTopKRouter holds its weight as a bare Parameter too (transformers models/gpt_oss).
const PARAMETER_ROUTER = new Set(['deepseek_v2', 'deepseek_v3', 'kimi_k2', 'gpt_oss']);
// Under the fused layout (transformers ≥ 5) peft 0.21 maps the MLP names of these families onto the
// fused expert parameters only: the dense MLPs and shared experts are left alone, while the router is
// an nn.Linear again (recorded in validation/fixtures/lora.json).
const FUSED_EXPERTS_ONLY_MLP = new Set(['deepseek_v2', 'deepseek_v3', 'kimi_k2', 'qwen3_next']);
const MLP_NAMES = new Set(['gate_proj', 'up_proj', 'down_proj']);
// HF module names of expert projections that differ from the synthesized llama names.
const EXPERT_ALIASES: Record<string, Record<string, string>> = {
  mixtral: { gate_proj: 'w1', down_proj: 'w2', up_proj: 'w3' },
};

interface Candidate {
  tensor: Tensor;
  path: string;
  names: string[];
  linear: boolean;
  output: boolean;
  embedding: boolean;
  count: number;
  outFeatures: number;
  inFeatures: number;
  /** Rank multiplier (2 for a fused gate_up_proj). */
  rankFactor: number;
  /** A fused 3-D expert parameter, reachable by `targetParameters` (peft ParamWrapper). */
  parameter: boolean;
}

type ExpertMode = 'per-expert-linear' | 'parameter' | 'fused';

function candidates(arch: Architecture, tensors: readonly Tensor[], expertMode: ExpertMode): Candidate[] {
  const out: Candidate[] = [];
  for (const t of tensors) {
    if (t.mtp || t.kind !== 'weight' || t.module === undefined) continue;
    const base = t.name.endsWith('.weight') ? t.name.slice(0, -'.weight'.length) : t.name;
    if (t.shape.length === 2) {
      const embedding = t.role === 'token_embd' || t.role === 'position_embd';
      const router = t.role === 'ffn_gate_inp';
      const fusedFamily = expertMode === 'fused' && FUSED_EXPERTS_ONLY_MLP.has(arch.family);
      if (fusedFamily && t.module !== undefined && MLP_NAMES.has(t.module)) continue;
      const linear = !embedding && !(router && PARAMETER_ROUTER.has(arch.family) && !fusedFamily);
      const [rows, cols] = t.shape as [number, number];
      out.push({
        tensor: t,
        path: base,
        names: [t.module],
        linear,
        output: t.role === 'output',
        embedding,
        count: 1,
        // nn.Embedding(num, dim): A is r × num, B is dim × r; DoRA magnitude has `dim` entries.
        outFeatures: embedding ? cols : rows,
        inFeatures: embedding ? rows : cols,
        rankFactor: 1,
        parameter: false,
      });
    } else if (t.shape.length === 3 && expertMode === 'per-expert-linear') {
      const [e, o, i] = t.shape as [number, number, number];
      const alias = EXPERT_ALIASES[arch.family]?.[t.module];
      const prefix = base.slice(0, base.length - t.module.length - 1);
      out.push({
        tensor: t,
        path: `${prefix}.*.${t.module}`,
        names: alias ? [t.module, alias] : [t.module],
        linear: true,
        output: false,
        embedding: false,
        count: e,
        outFeatures: o,
        inFeatures: i,
        rankFactor: 1,
        parameter: false,
      });
    } else if (t.shape.length === 3) {
      // transformers ≥ 5 fuses gate and up into one [E, 2I, H] parameter: peft's ParamWrapper gives it
      // lora_A [2r·E, H] and lora_B [2I, 2r·E]; down_proj [E, H, I] gets rank r (peft tuners/lora ParamWrapper).
      // gpt-oss stores gate_up_proj fused already; Llama 4's Llama4TextExperts holds gate_up_proj
      // [E, H, 2I] and down_proj [E, I, H] (transformers models/llama4), stored split here.
      const [e, o, i] = t.shape as [number, number, number];
      const prefix = base.slice(0, base.length - t.module.length - 1);
      if (t.module === 'up_proj') continue; // folded into gate_up_proj below
      const gateUp = t.module === 'gate_proj';
      // Converted families: peft reaches the fused parameter through the split names (Mixtral: w1, w3 / w2);
      // natively fused ones (expertMode `parameter`) only through target_parameters.
      const alias = EXPERT_ALIASES[arch.family];
      const split = (m: string) => alias?.[m] ?? m;
      const byName = expertMode === 'fused';
      out.push({
        tensor: gateUp ? { ...t, module: 'gate_up_proj' } : t,
        path: `${prefix}.${gateUp ? 'gate_up_proj' : t.module}`,
        names: byName ? (gateUp ? [split('gate_proj'), split('up_proj')] : [split(t.module)]) : [],
        linear: byName,
        output: false,
        embedding: false,
        count: e,
        outFeatures: gateUp ? 2 * o : o,
        inFeatures: i,
        rankFactor: byName && gateUp ? 2 : 1,
        parameter: true,
      });
    }
  }
  return out;
}

function matches(c: Candidate, key: string): boolean {
  if (!key.includes('.')) return c.names.includes(key);
  return c.path === key || c.path.endsWith(`.${key}`);
}

/**
 * The fused expert parameters `targetParameters` reaches, matched as peft's `_inject_parameters` does
 * (the parameter path equals the name or ends with `.name`).
 * @throws InvalidInputError naming `lora.targetParameters` and the valid names when one matches nothing
 */
function parameterTargets(cands: readonly Candidate[], keys: readonly string[], mode: ExpertMode): Set<Candidate> {
  const hits = new Set<Candidate>();
  if (keys.length === 0) return hits;
  const params = cands.filter((c) => c.parameter);
  const valid = [...new Set(params.map((c) => `experts.${c.path.slice(c.path.lastIndexOf('.') + 1)}`))];
  for (const key of keys) {
    const matched = params.filter((c) => c.path === key || c.path.endsWith(`.${key}`));
    if (matched.length === 0) {
      const why =
        valid.length > 0
          ? `the fused expert parameters here are ${valid.map((n) => `"${n}"`).join(', ')}`
          : mode === 'per-expert-linear'
            ? 'under `lora.expertLayout` split the experts are one nn.Linear each: name them in `lora.targets`'
            : 'this model has no fused 3-D expert parameters: name modules in `lora.targets`';
      throw new InvalidInputError([
        { path: 'lora.targetParameters', message: `no parameter matches "${key}"; ${why}`, received: keys },
      ]);
    }
    for (const c of matched) hits.add(c);
  }
  return hits;
}

/** The default `expertModules` for a family (see {@link LoraOptions.expertModules}) under the split (transformers < 5) layout. */
export function defaultExpertModules(arch: Architecture): 'per-expert-linear' | 'parameter' {
  return PER_EXPERT_LINEAR.has(arch.family) ? 'per-expert-linear' : 'parameter';
}

function expertModeOf(arch: Architecture, options: Pick<LoraOptions, 'expertModules' | 'expertLayout'>): ExpertMode {
  if (options.expertModules) return options.expertModules;
  if (!PER_EXPERT_LINEAR.has(arch.family)) return 'parameter';
  return (options.expertLayout ?? 'fused') === 'split' ? 'per-expert-linear' : 'fused';
}

/**
 * Resolves which modules a LoRA/DoRA config adapts and counts the trainable parameters exactly as
 * peft's `print_trainable_parameters()` does, from the real tensor shapes (not hidden × hidden).
 * @param model a prepared model
 * @param options rank, targets, DoRA, modules_to_save
 * @returns the adapted modules, the trainable count and the trainable tensors
 * @throws InvalidInputError when no target matches any module (peft raises too), or `default` has no mapping
 */
export function resolveAdapters(model: PreparedModel, options: LoraOptions): AdapterPlan {
  const arch = model.arch;
  const expertMode = expertModeOf(arch, options);
  const cands = candidates(arch, model.tensors, expertMode);
  let targets: readonly string[] | 'all-linear';
  if (options.targets === 'default') {
    const d = DEFAULT_TARGETS[arch.family];
    if (!d) {
      throw new InvalidInputError([
        {
          path: 'lora.targets',
          message: `peft has no default target_modules we model for model_type "${arch.family}"; set lora.targets (module names or "all-linear")`,
          received: 'default',
        },
      ]);
    }
    targets = d;
  } else {
    targets = options.targets;
  }
  const targetParameters = options.targetParameters ?? [];
  if (targets !== 'all-linear' && targets.length === 0 && targetParameters.length === 0) {
    throw new InvalidInputError([
      {
        path: 'lora.targets',
        message: 'give at least one target module (or fused expert parameters in `lora.targetParameters`)',
        received: targets,
      },
    ]);
  }
  const byParameter = parameterTargets(cands, targetParameters, expertMode);
  const used = new Set<string>();
  const byName = new Set(
    cands.filter((c) => {
      if (targets === 'all-linear') return c.linear && !c.output;
      let hit = false;
      for (const key of targets) {
        if (matches(c, key)) {
          used.add(key);
          hit = true;
        }
      }
      return hit;
    }),
  );
  // peft adds the target_parameters to the modules `targets` reached (a set union, tuners_utils `_inject_parameters`).
  const chosen = cands.filter((c) => byName.has(c) || byParameter.has(c));
  const unmatchedTargets = targets === 'all-linear' ? [] : targets.filter((k) => !used.has(k));
  if (chosen.length === 0) {
    throw new InvalidInputError([
      {
        path: 'lora.targets',
        message: `no module matches ${targets === 'all-linear' ? 'all-linear' : JSON.stringify(targets)}; modules here: ${[...new Set(cands.filter((c) => c.names.length > 0).map((c) => c.names.join('/')))].join(', ')}`,
        received: targets,
      },
    ]);
  }
  if ((options.dropout ?? 0) > 0 && chosen.some((c) => c.parameter)) {
    // peft tuners/lora ParamWrapper: "does not work with lora_dropout != 0" (dropout cannot be factored out of x).
    throw new InvalidInputError([
      {
        path: 'lora.dropout',
        message:
          "peft's ParamWrapper on fused expert parameters refuses a non-zero `lora.dropout`; set it to 0 or leave the experts out",
        received: options.dropout,
      },
    ]);
  }
  if (options.dora && chosen.some((c) => c.parameter)) {
    // peft tuners/lora: "lora.ParamWrapper does not work with use_dora=True".
    throw new InvalidInputError([
      {
        path: 'lora.dora',
        message:
          'peft cannot apply DoRA to fused expert parameters (ParamWrapper); use plain LoRA, exclude the experts from lora.targets, or set lora.expertLayout to split',
        received: true,
      },
    ]);
  }
  const modules: AdaptedModule[] = [];
  const tensors: TrainableTensor[] = [];
  const adaptedPerLayer = new Map<number, AdaptedModule[]>();
  let loraParams = 0;
  let magnitudeParams = 0;
  for (const c of chosen) {
    // The 2r of a fused gate_up_proj is the rank_pattern peft adds when both split names are targets.
    const r = options.rank * (byName.has(c) ? c.rankFactor : 1);
    const m: AdaptedModule = {
      path: c.path,
      module: c.tensor.module!,
      inFeatures: c.inFeatures,
      outFeatures: c.outFeatures,
      count: c.count,
      rank: r,
      ...(c.tensor.layer === undefined ? {} : { layer: c.tensor.layer }),
      loraParams: r * (c.inFeatures + c.outFeatures),
      magnitudeParams: options.dora ? c.outFeatures : 0,
      ...(c.parameter ? { parameter: true as const } : {}),
    };
    modules.push(m);
    loraParams += m.loraParams * m.count;
    magnitudeParams += m.magnitudeParams * m.count;
    tensors.push({ name: `${c.path}.lora_A`, shape: [r, c.inFeatures], count: c.count, hiddenMatrix: true });
    tensors.push({ name: `${c.path}.lora_B`, shape: [c.outFeatures, r], count: c.count, hiddenMatrix: true });
    if (options.dora)
      tensors.push({
        name: `${c.path}.lora_magnitude_vector`,
        shape: [c.outFeatures],
        count: c.count,
        hiddenMatrix: false,
      });
    if (c.tensor.layer !== undefined) {
      const list = adaptedPerLayer.get(c.tensor.layer) ?? [];
      list.push(m);
      adaptedPerLayer.set(c.tensor.layer, list);
    }
  }
  let modulesToSaveParams = 0;
  const savedKeys = options.modulesToSave ?? [];
  let savedHits = 0;
  for (const key of savedKeys) {
    let hits = model.tensors.filter(
      (t) => !t.mtp && t.module !== undefined && (key.includes('.') ? t.name.includes(`${key}.`) : t.module === key),
    );
    // A tied head is still an nn.Linear module (its weight is the embedding's): peft copies it too.
    if (hits.length === 0 && arch.tiedEmbeddings && key === 'lm_head')
      hits = model.tensors.filter((t) => !t.mtp && t.role === 'token_embd');
    if (hits.length === 0) {
      unmatchedTargets.push(key);
      continue;
    }
    savedHits += 1;
    for (const t of hits) {
      modulesToSaveParams += tensorElements(t);
      tensors.push({ name: `${t.name} (modules_to_save copy)`, shape: t.shape, count: 1, hiddenMatrix: false });
    }
  }
  // peft ignores a modules_to_save name that matches nothing; when none matches the option is a mistake.
  if (savedKeys.length > 0 && savedHits === 0) {
    throw new InvalidInputError([
      {
        path: 'lora.modulesToSave',
        message: `no module named ${savedKeys.map((k) => `"${k}"`).join(' or ')}`,
        received: savedKeys,
      },
    ]);
  }
  return {
    modules,
    loraParams,
    magnitudeParams,
    modulesToSaveParams,
    trainable: loraParams + magnitudeParams + modulesToSaveParams,
    targets,
    unmatchedTargets,
    tensors,
    adaptedPerLayer,
  };
}

/**
 * The fused expert parameters adapted in one MoE layer (peft ParamWrapper), for the activation model's
 * `TrainableSet.fusedExperts`: the forward builds W + B·A per expert and saves it (activations.ts).
 * @param plan resolved adapters
 * @returns one entry per adapted parameter of the first MoE layer that has any (MoE layers share shapes)
 */
export function fusedExpertParameters(
  plan: AdapterPlan,
): { inFeatures: number; outFeatures: number; experts: number; rank: number }[] {
  const fused = plan.modules.filter((m) => m.parameter);
  const layer = fused[0]?.layer;
  return fused
    .filter((m) => m.layer === layer)
    .map((m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, experts: m.count, rank: m.rank }));
}

/** Options of {@link peftPrintedCounts}. */
export interface PrintedCountOptions {
  /**
   * Count bitsandbytes 4-bit weights as their packed uint8 storage (half the elements), as peft
   * before 0.7 and hand-written printers did. Every linear weight except the output head is 4-bit.
   */
  packed4bit?: boolean;
}

/**
 * The "trainable params || all params" pair that peft's `print_trainable_parameters()` prints.
 * `all` counts the frozen base, the adapters and the `modules_to_save` copies (the original stays).
 * @param model the prepared base model
 * @param plan the resolved adapters
 * @returns `{ trainable, all }`
 */
export function peftPrintedCounts(
  model: PreparedModel,
  plan: AdapterPlan,
  options: PrintedCountOptions = {},
): { trainable: number; all: number } {
  let base = model.parameters.total;
  // DeepSeek-V3's e_score_correction_bias is a registered buffer in transformers (a checkpoint tensor,
  // not a parameter): peft's count leaves it out.
  for (const t of model.tensors) if (t.role === 'ffn_exp_probs_b' && !t.mtp) base -= tensorElements(t);
  if (options.packed4bit) {
    const expertMode = defaultExpertModules(model.arch);
    for (const c of candidates(model.arch, model.tensors, expertMode)) {
      if (!c.linear || c.output) continue;
      const perModule = c.inFeatures * c.outFeatures;
      // Params4bit stores two 4-bit values per uint8: numel() is ⌈n/2⌉ per module.
      base -= c.count * (perModule - Math.ceil(perModule / 2));
    }
  }
  return { trainable: plan.trainable, all: base + plan.trainable };
}
