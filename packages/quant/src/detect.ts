import { type Architecture, InvalidInputError, NoSuchFormatError, type WeightFormat } from '@vramkit/core';
import { awqFormat } from './awq.js';
import { bnb4bitFormat, bnbInt8Format } from './bitsandbytes.js';
import { type CompressedTensorsScheme, compressedTensorsFormat } from './compressed-tensors.js';
import { exllamaFormat } from './exllama.js';
import { fp8Format } from './fp8.js';
import { type GptqOptions, gptqFormat } from './gptq.js';
import { type HqqOptions, hqqFormat } from './hqq.js';
import { mxfp4Format } from './mxfp4.js';

/** A `quantization_config` block as found in a model's config.json. */
export type QuantizationConfig = Record<string, unknown>;

/** What detection found: the format, the method named in the config and the parameters it read. */
export interface DetectedFormat {
  format: WeightFormat;
  /** `quant_method` (`gptq`, `awq`, `bitsandbytes`, `fp8`, `mxfp4`, `compressed-tensors`, …). */
  quantMethod: string;
  /** The parameters read, by their config names, for display (`{ bits: 4, group_size: 128 }`). */
  parameters: Record<string, unknown>;
}

/**
 * Reads a `quantization_config` for a method vramkit's built-ins do not know; a format package
 * exports these as `detectors` next to `formats`. Return undefined when the block is not yours.
 */
export type QuantizationConfigDetector = (
  config: QuantizationConfig,
  arch?: Architecture,
) => DetectedFormat | undefined;

/** The `quant_method` values the built-in detection reads. */
export const KNOWN_QUANT_METHODS = [
  'gptq',
  'awq',
  'bitsandbytes',
  'fp8',
  'mxfp4',
  'compressed-tensors',
  'hqq',
  'exl2',
  'exl3',
] as const;

function num(qc: QuantizationConfig, keys: readonly string[], fallback?: number): number {
  for (const k of keys) {
    const v = qc[k];
    if (typeof v === 'number') return v;
  }
  if (fallback !== undefined) return fallback;
  throw new InvalidInputError([
    {
      path: `config.quantization_config.${keys[0]}`,
      message: `is required for this quant_method and must be a number`,
    },
  ]);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function detectCompressedTensors(qc: QuantizationConfig): DetectedFormat {
  const groups = (qc.config_groups ?? {}) as Record<
    string,
    { weights?: Record<string, unknown>; format?: string } | undefined
  >;
  const first = Object.values(groups).find((g) => g?.weights);
  const w = first?.weights;
  if (!w) {
    throw new InvalidInputError([
      { path: 'config.quantization_config.config_groups', message: 'has no group with a "weights" scheme' },
    ]);
  }
  const block = Array.isArray(w.block_structure) ? (w.block_structure as number[]) : undefined;
  const scheme: CompressedTensorsScheme = {
    numBits: w.num_bits as 4 | 8,
    type: w.type === 'float' ? 'float' : 'int',
    strategy: w.strategy as CompressedTensorsScheme['strategy'],
    ...(typeof w.group_size === 'number' ? { groupSize: w.group_size } : {}),
    ...(block && block.length === 2 ? { blockStructure: [block[0] as number, block[1] as number] as const } : {}),
    symmetric: w.symmetric !== false,
    format: String(first?.format ?? qc.format ?? 'unknown'),
    ignore: strings(qc.ignore),
  };
  return {
    format: compressedTensorsFormat(scheme),
    quantMethod: 'compressed-tensors',
    parameters: { ...w, format: scheme.format, ignore: scheme.ignore },
  };
}

/**
 * Picks the weight format a checkpoint's `quantization_config` describes, with its parameters.
 * Real blocks read: GPTQ (bits, group_size, desc_act, sym), AWQ (bits/w_bit, group_size/q_group_size,
 * version), bitsandbytes (load_in_4bit/8bit, bnb_4bit_quant_type, bnb_4bit_use_double_quant,
 * llm_int8_skip_modules), fp8 (weight_block_size, activation_scheme), mxfp4, compressed-tensors
 * (config_groups, ignore), hqq, exl2/exl3 (bits, head_bits); `modules_to_not_convert` for each.
 * @param config the `quantization_config` object (or a whole config.json holding one)
 * @param arch the architecture, passed to plugin detectors
 * @param options `detectors` from format packages, tried first
 * @returns the detected format and the parameters read
 * @throws NoSuchFormatError when no detector knows the `quant_method`
 * @throws InvalidInputError when a required field is missing
 */
export function formatFromQuantizationConfig(
  config: QuantizationConfig,
  arch?: Architecture,
  options: { detectors?: readonly QuantizationConfigDetector[] } = {},
): DetectedFormat {
  const qc = (
    typeof config.quantization_config === 'object' && config.quantization_config !== null
      ? config.quantization_config
      : config
  ) as QuantizationConfig;
  for (const d of options.detectors ?? []) {
    const found = d(qc, arch);
    if (found) return found;
  }
  const skip = strings(qc.modules_to_not_convert);
  const method =
    typeof qc.quant_method === 'string'
      ? qc.quant_method.toLowerCase()
      : qc.load_in_4bit || qc.load_in_8bit
        ? 'bitsandbytes'
        : '';
  switch (method) {
    case 'gptq': {
      const bits = num(qc, ['bits']) as GptqOptions['bits'];
      const groupSize = num(qc, ['group_size'], 128);
      const parameters = { bits, group_size: groupSize, desc_act: qc.desc_act === true, sym: qc.sym !== false };
      return {
        format: gptqFormat({
          bits,
          groupSize,
          descAct: parameters.desc_act,
          sym: parameters.sym,
          modulesToNotConvert: skip,
        }),
        quantMethod: 'gptq',
        parameters,
      };
    }
    case 'awq': {
      const groupSize = num(qc, ['group_size', 'q_group_size'], 128);
      const version = String(qc.version ?? 'gemm').toLowerCase() === 'gemv' ? 'gemv' : 'gemm';
      const bits = num(qc, ['bits', 'w_bit'], 4);
      if (bits !== 4) {
        throw new InvalidInputError([
          {
            path: 'config.quantization_config.bits',
            message: `AWQ kernels pack 4-bit weights; got ${bits}`,
            received: bits,
          },
        ]);
      }
      return {
        format: awqFormat({ groupSize, version, modulesToNotConvert: skip }),
        quantMethod: 'awq',
        parameters: { bits, group_size: groupSize, version, zero_point: qc.zero_point ?? true },
      };
    }
    case 'bitsandbytes': {
      const skipModules = [...strings(qc.llm_int8_skip_modules), ...skip];
      if (qc.load_in_8bit === true)
        return {
          format: bnbInt8Format({ skipModules }),
          quantMethod: 'bitsandbytes',
          parameters: { load_in_8bit: true },
        };
      const quantType = qc.bnb_4bit_quant_type === 'fp4' ? 'fp4' : 'nf4';
      const doubleQuant = qc.bnb_4bit_use_double_quant === true;
      return {
        format: bnb4bitFormat({ quantType, doubleQuant, skipModules }),
        quantMethod: 'bitsandbytes',
        parameters: { load_in_4bit: true, bnb_4bit_quant_type: quantType, bnb_4bit_use_double_quant: doubleQuant },
      };
    }
    case 'fp8': {
      const block = Array.isArray(qc.weight_block_size) ? (qc.weight_block_size as number[]) : undefined;
      const staticActivations = qc.activation_scheme === 'static';
      const format = block
        ? fp8Format({
            scaling: 'block',
            blockSize: [block[0] as number, block[1] as number],
            staticActivations,
            modulesToNotConvert: skip,
          })
        : fp8Format({ scaling: 'tensor', staticActivations, modulesToNotConvert: skip });
      return {
        format,
        quantMethod: 'fp8',
        parameters: { weight_block_size: block ?? null, activation_scheme: qc.activation_scheme ?? 'dynamic' },
      };
    }
    case 'mxfp4':
      return {
        format: mxfp4Format({ modulesToNotConvert: skip }),
        quantMethod: 'mxfp4',
        parameters: { modules_to_not_convert: skip },
      };
    case 'compressed-tensors':
      return detectCompressedTensors(qc);
    case 'hqq': {
      const inner = ((qc.quant_config as Record<string, unknown> | undefined)?.weight_quant_params ??
        qc) as QuantizationConfig;
      const nbits = num(inner, ['nbits']) as HqqOptions['nbits'];
      const groupSize = num(inner, ['group_size'], 64);
      return {
        format: hqqFormat({ nbits, groupSize, skipModules: skip }),
        quantMethod: 'hqq',
        parameters: { nbits, group_size: groupSize },
      };
    }
    case 'exl2':
    case 'exl3': {
      const bits = num(qc, ['bits']);
      const head = num(qc, ['head_bits'], 6);
      return {
        format: exllamaFormat({ version: method, bitsPerWeight: bits, headBits: head }),
        quantMethod: method,
        parameters: { bits, head_bits: head },
      };
    }
    default:
      throw new NoSuchFormatError(
        method || '(no quant_method)',
        [...KNOWN_QUANT_METHODS],
        'config.quantization_config.quant_method',
      );
  }
}
