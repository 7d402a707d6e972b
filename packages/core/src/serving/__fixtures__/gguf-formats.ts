import type { WeightFormat } from '../../formats/weight-format.js';
import { type Tensor, tensorElements } from '../../model/tensor.js';

/**
 * Test-only GGUF file-type formats for the runtime-log models (the real ones live in @vramkit/quant,
 * which core cannot import). Block layouts from ggml/src/ggml-common.h; placement rules from
 * llama.cpp src/llama-quant.cpp: 1-D tensors stay F32, output.weight gets Q6_K unless the file type is
 * Q8_0 / F16 (its row of 2048–5120 divides 256), token_embd keeps the file type.
 */
const LAYOUTS = {
  F16: { elements: 1, bytes: 2 },
  Q4_0: { elements: 32, bytes: 2 + 16 }, // block_q4_0: f16 d + 16 bytes of nibbles
  Q4_1: { elements: 32, bytes: 2 + 2 + 16 }, // block_q4_1: f16 d, f16 m, nibbles
  Q8_0: { elements: 32, bytes: 2 + 32 }, // block_q8_0: f16 d + 32 int8
  Q6_K: { elements: 256, bytes: 128 + 64 + 16 + 2 }, // block_q6_K: ql, qh, scales, f16 d
} as const;

type FileType = 'F16' | 'Q4_0' | 'Q4_1' | 'Q8_0';

export function ggufFileType(ftype: FileType): WeightFormat {
  return {
    specVersion: 'v1',
    id: ftype,
    description: `test GGUF ${ftype}`,
    bytesForTensor(t: Tensor) {
      const n = tensorElements(t);
      if (t.shape.length < 2) return { bytes: n * 4, type: 'F32' };
      const type = t.role === 'output' && (ftype === 'Q4_0' || ftype === 'Q4_1') ? 'Q6_K' : ftype;
      const l = LAYOUTS[type];
      return { bytes: (n / l.elements) * l.bytes, type };
    },
  };
}
