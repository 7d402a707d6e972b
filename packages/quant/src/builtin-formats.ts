import { GGML_TYPES, plainFormats, storedFormat } from '@vramkit/core';
import { awqFamily, awqFormat } from './awq.js';
import { bnb4bitFormat, bnbInt8Format } from './bitsandbytes.js';
import { compressedTensorsFormat } from './compressed-tensors.js';
import { exl2Family, exl3Family } from './exllama.js';
import { defineWeightFormat } from './define-weight-format.js';
import { fp8Format } from './fp8.js';
import { ggmlPureFormat, llamaFileTypeFormats } from './gguf-formats.js';
import { gptqFamily, gptqFormat } from './gptq.js';
import { hqqFamily, hqqFormat } from './hqq.js';
import { mxfp4Format } from './mxfp4.js';
import type { FormatEntry } from './registry.js';

const byId = (list: readonly FormatEntry[]): Record<string, FormatEntry> => Object.fromEntries(list.map((f) => [f.id, f]));

// ggml types a whole model can be stored in; Q8_1/Q8_K are dot-product intermediates and I* are integer tensors.
const PURE_TYPES = GGML_TYPES.filter((t) => (t.quantized && t.id !== 'Q8_1' && t.id !== 'Q8_K') || t.id === 'F16' || t.id === 'BF16' || t.id === 'F32');

/**
 * Every format `@vramkit/quant` ships, keyed by id. Compose a registry from it:
 * `createFormatRegistry(builtinFormats, pluginFormats)`.
 *
 * Ids: core's plain `f32 f16 bf16 fp8 int8`; llama.cpp file types `Q4_K_M`, `IQ2_XS`, … (F16/BF16/F32
 * files are `ggml:F16` etc.); `ggml:<TYPE>` for every matrix in one ggml type; `stored` for the types a
 * GGUF or safetensors header states (core's `storedFormat`); GPU formats `gptq-4bit-128g`, `awq`, `bnb-nf4`, `bnb-int8`, `fp8-block`, `mxfp4`,
 * `compressed-tensors:w4a16`, `hqq-4bit-64g`; families with parameters `gptq@bits=3,group=64`,
 * `awq@group=64,gemv`, `hqq@nbits=2,group=16`, `exl2@4.65`, `exl3@3.5`. The record has no prototype,
 * so `builtinFormats.constructor` is undefined rather than `Object`.
 */
export const builtinFormats: Readonly<Record<string, FormatEntry>> = Object.assign(Object.create(null) as Record<string, FormatEntry>, {
  // core's plain formats, wrapped so that impossible shapes raise typed errors like every other format.
  ...byId(Object.values(plainFormats).map((f) => defineWeightFormat(f))),
  ...Object.fromEntries(Object.entries(llamaFileTypeFormats).filter(([id]) => !['F32', 'F16', 'BF16'].includes(id))),
  ...byId(PURE_TYPES.map((t) => ggmlPureFormat(t.id))),
  stored: storedFormat,
  ...byId([
    gptqFamily,
    gptqFormat({ bits: 4, groupSize: 128 }),
    gptqFormat({ bits: 4, groupSize: 32 }),
    gptqFormat({ bits: 4, groupSize: -1 }),
    gptqFormat({ bits: 3, groupSize: 128 }),
    gptqFormat({ bits: 8, groupSize: 128 }),
    awqFamily,
    awqFormat({ version: 'gemv' }),
    bnb4bitFormat({ quantType: 'nf4' }),
    bnb4bitFormat({ quantType: 'nf4', doubleQuant: true }),
    bnb4bitFormat({ quantType: 'fp4' }),
    bnbInt8Format(),
    fp8Format({ scaling: 'tensor' }),
    fp8Format({ scaling: 'channel' }),
    fp8Format({ scaling: 'block' }),
    mxfp4Format(),
    { ...compressedTensorsFormat({ numBits: 4, type: 'int', strategy: 'group', groupSize: 128, symmetric: true, format: 'pack-quantized' }), id: 'compressed-tensors:w4a16' },
    { ...compressedTensorsFormat({ numBits: 8, type: 'int', strategy: 'channel', symmetric: true, format: 'int-quantized' }), id: 'compressed-tensors:w8a8' },
    { ...compressedTensorsFormat({ numBits: 8, type: 'float', strategy: 'channel', symmetric: true, format: 'float-quantized' }), id: 'compressed-tensors:fp8-dynamic' },
    { ...compressedTensorsFormat({ numBits: 4, type: 'float', strategy: 'tensor_group', groupSize: 16, symmetric: true, format: 'nvfp4-pack-quantized' }), id: 'compressed-tensors:nvfp4' },
    hqqFamily,
    hqqFormat({ nbits: 4, groupSize: 64 }),
    exl2Family,
    exl3Family,
  ]),
});
