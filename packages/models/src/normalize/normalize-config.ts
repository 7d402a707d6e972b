import {
  type Architecture,
  type ArchitectureSizeField,
  architectureSize,
  ConfigValidationError,
  excerpt,
  INPUT_LIMITS,
  InvalidInputError,
  UnsupportedArchitectureError,
  validateArchitecture,
} from '@vramkit/core';
import { ConfigReader, type RawConfig } from './config-fields.js';
import { denseDecoder } from './families/dense.js';
import { familyFor, knownModelTypes } from './families/index.js';

/** A config normalized into an {@link Architecture}, with what else the config says about memory. */
export interface NormalizedConfig {
  architecture: Architecture;
  /** The `model_type` that was normalized (the text model's, for multimodal wrappers). */
  modelType: string;
  /** `torch_dtype` / `dtype` of the checkpoint, when the config states it. */
  checkpointDtype?: string;
  /** The raw `quantization_config` block, for `@vramkit/quant` to detect the format. */
  quantizationConfig?: Record<string, unknown>;
  /** `transformers_version` of the config (decides transformers 5's fused MoE expert layout for LoRA). */
  transformersVersion?: string;
  /** Things the user should know (a generic mapping was used, a wrapper was unwrapped, …). */
  warnings: string[];
}

export interface NormalizeOptions {
  /**
   * Map an unknown `model_type` onto a generic Llama-style decoder with a warning, instead of
   * throwing. Loaders that also read the checkpoint's tensor list use this, since the header is then
   * the source of truth for parameters.
   */
  allowUnknown?: boolean;
}

// The config key each size field is read from (transformers' names; aliases exist per family).
const CONFIG_FIELD: Record<ArchitectureSizeField, string> = {
  vocabSize: 'vocab_size',
  hiddenSize: 'hidden_size',
  layers: 'num_hidden_layers',
  numHeads: 'num_attention_heads',
  headDim: 'head_dim',
  intermediateSize: 'intermediate_size',
  numExperts: 'num_experts',
  expertIntermediateSize: 'moe_intermediate_size',
  stateSize: 'state_size',
};

// The config key behind an architecture field, for messages (`architecture.layers.3.mlp.topK` → num_experts_per_tok).
const ARCH_TO_CONFIG: Record<string, string> = {
  ...CONFIG_FIELD,
  topK: 'num_experts_per_tok',
  numKvHeads: 'num_key_value_heads',
  window: 'sliding_window',
  vocabSize: 'vocab_size',
  maxPositionEmbeddings: 'max_position_embeddings',
  kvLoraRank: 'kv_lora_rank',
  qLoraRank: 'q_lora_rank',
};

function configPathFor(archPath: string): string {
  const parts = archPath.split('.');
  const layer = parts[1] === 'layers' && /^\d+$/.test(parts[2] ?? '');
  for (let i = parts.length - 1; i >= (layer ? 3 : 1); i--) {
    const key = ARCH_TO_CONFIG[parts[i]!];
    if (key) return key;
  }
  // A check on a whole MLP (topK ≤ numExperts) names the MLP: the experts-per-token key is the usual culprit.
  if (parts.at(-1) === 'mlp') return 'num_experts_per_tok';
  return parts.slice(1).join('.') || 'config';
}

const WRAPPER_KEYS = ['text_config', 'llm_config', 'language_config'] as const;

function isRecord(value: unknown): value is RawConfig {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Normalizes a parsed `config.json` into an {@link Architecture}. Multimodal wrappers
 * (`text_config`, `llm_config`) are unwrapped to their language model.
 * @param raw the parsed JSON
 * @throws ConfigValidationError listing every missing or malformed field
 * @throws UnsupportedArchitectureError for an unknown `model_type` (unless `allowUnknown`)
 */
export function normalizeConfig(raw: unknown, options: NormalizeOptions = {}): NormalizedConfig {
  if (!isRecord(raw)) {
    throw new ConfigValidationError(undefined, [
      {
        path: '(root)',
        message: 'config.json must be a JSON object',
        received: Array.isArray(raw) ? 'array' : typeof raw,
      },
    ]);
  }
  const warnings: string[] = [];
  let config = raw;
  for (const key of WRAPPER_KEYS) {
    const inner = raw[key];
    if (isRecord(inner) && (inner.hidden_size !== undefined || inner.num_hidden_layers !== undefined)) {
      config = { ...inner, model_type: inner.model_type ?? raw.model_type };
      warnings.push(
        `read the language model from "${key}" (model_type ${String(raw.model_type)}); vision/audio towers are not in this count`,
      );
      break;
    }
  }
  const modelType = config.model_type;
  if (modelType !== undefined && (typeof modelType !== 'string' || modelType.length > INPUT_LIMITS.nameChars.max)) {
    throw new ConfigValidationError(undefined, [
      {
        path: 'model_type',
        message: `must be a name such as "llama" of at most ${INPUT_LIMITS.nameChars.max} characters, got ${excerpt(modelType)}`,
        received: excerpt(modelType),
      },
    ]);
  }
  const family = modelType === undefined ? undefined : familyFor(modelType);
  const reader = new ConfigReader(config, modelType ?? 'unknown');
  let architecture: Architecture;
  if (family) {
    architecture = family.normalize(reader);
  } else if (options.allowUnknown && modelType !== undefined) {
    warnings.push(
      `model_type "${modelType}" is not modelled; read as a generic Llama-style decoder — parameters come from the checkpoint header when available`,
    );
    architecture = denseDecoder(
      reader,
      {
        norms: ['input_layernorm', 'post_attention_layernorm'],
        tiedDefault: false,
        qkvBias: reader.bool('attention_bias', false),
      },
      () => 'full_attention',
    );
  } else {
    throw new UnsupportedArchitectureError(modelType, knownModelTypes());
  }
  reader.done();
  const size = architectureSize(architecture);
  if (!(size.parameters <= INPUT_LIMITS.parameters.max)) {
    const fields = size.term.map((f) => CONFIG_FIELD[f]);
    throw new ConfigValidationError(architecture.family, [
      {
        path: CONFIG_FIELD[size.largest],
        message: `${fields.join(' × ')} gives about ${size.parameters.toExponential(2)} parameters, above the limit of ${INPUT_LIMITS.parameters.max.toExponential(2)} (${INPUT_LIMITS.parameters.reason})`,
      },
    ]);
  }
  // The normalizers read fields one by one; the architecture as a whole (topK ≤ experts, every bound)
  // is checked here too, so a config that passes field checks but not the schema is refused by name.
  try {
    validateArchitecture(architecture);
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    throw new ConfigValidationError(
      architecture.family,
      e.issues.map((i) => {
        const layer = /^architecture\.layers\.(\d+)\./.exec(`${i.path}.`)?.[1];
        return {
          ...i,
          path: configPathFor(i.path),
          message: layer === undefined ? i.message : `layer ${layer}: ${i.message}`,
        };
      }),
      { cause: e },
    );
  }
  const dtype = raw.torch_dtype ?? raw.dtype ?? config.torch_dtype;
  const quant = raw.quantization_config ?? config.quantization_config;
  const version = raw.transformers_version ?? config.transformers_version;
  return {
    architecture,
    modelType: architecture.family,
    ...(typeof dtype === 'string' ? { checkpointDtype: dtype } : {}),
    ...(isRecord(quant) ? { quantizationConfig: quant } : {}),
    ...(typeof version === 'string' ? { transformersVersion: version.slice(0, 40) } : {}),
    warnings,
  };
}
