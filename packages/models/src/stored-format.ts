import { InvalidInputError, type Tensor, tensorElements, type WeightFormat } from '@vramkit/core';
import { ggmlTensorBytes, ggmlTypeByName } from './gguf/ggml-types.js';

// safetensors dtypes not in the ggml table, bytes per element (safetensors/src/tensor.rs Dtype::size).
const SAFETENSORS_BYTES: Record<string, number> = { BOOL: 1, U8: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1, U16: 2, U32: 4, U64: 8 };

/**
 * Bytes of a tensor in the dtype its checkpoint stores (`tensor.dtype`: a ggml type from a GGUF
 * header, or a safetensors dtype from a safetensors header).
 * @throws InvalidInputError when the tensor has no dtype or an unknown one
 */
export function storedTensorBytes(tensor: Tensor): number {
  const dtype = tensor.dtype;
  if (dtype === undefined) {
    throw new InvalidInputError([{ path: `tensors.${tensor.name}.dtype`, message: 'no stored dtype: the inventory was synthesized; pick a format (bf16, Q4_K_M, …) instead of "stored"' }]);
  }
  const n = tensorElements(tensor);
  const ggml = ggmlTypeByName(dtype);
  if (ggml) {
    const bytes = ggmlTensorBytes(ggml, n);
    if (bytes === undefined) throw new InvalidInputError([{ path: `tensors.${tensor.name}.shape`, message: `${n} elements are not whole ${ggml.name} blocks of ${ggml.blockElements}` }]);
    return bytes;
  }
  const per = SAFETENSORS_BYTES[dtype.toUpperCase()];
  if (per === undefined) throw new InvalidInputError([{ path: `tensors.${tensor.name}.dtype`, message: `unknown stored dtype "${dtype}"`, received: dtype }]);
  return n * per;
}

/**
 * The weight format "as stored": each tensor costs what its header says (`Q4_K` blocks, `BF16`
 * elements, packed `U8`, …). For a GGUF inventory the total equals the file's tensor data size.
 */
export const storedFormat: WeightFormat = {
  specVersion: 'v1',
  id: 'stored',
  description: 'each tensor in the dtype its GGUF or safetensors header records',
  bytesForTensor: (t) => ({ bytes: storedTensorBytes(t), type: t.dtype ?? 'unknown' }),
};
