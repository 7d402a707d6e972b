import { SAFETENSORS_ONLY_DTYPE_BYTES } from './dtypes.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { findGgmlType, ggmlTensorBytes } from './ggml-types.js';
import { type Tensor, tensorElements } from './tensor.js';
import type { WeightFormat } from '../formats/weight-format.js';

/**
 * Bytes of a tensor in the dtype its checkpoint stores: `tensor.dtype` is a ggml type from a GGUF
 * header (`Q4_K`, or its `enum ggml_type` number as a string) or a safetensors dtype (`BF16`, `U8`,
 * `F8_E4M3`, …) from a safetensors header.
 * @param tensor a tensor read from a checkpoint header
 * @returns bytes, an integer
 * @throws InvalidInputError (path `tensors.<name>.dtype` or `.shape`) when the tensor has no dtype,
 *   an unknown one, or a row that does not hold whole blocks of its ggml type
 */
export function storedTensorBytes(tensor: Tensor): number {
  const dtype = tensor.dtype;
  if (dtype === undefined) {
    throw new InvalidInputError([
      {
        path: `tensors.${tensor.name}.dtype`,
        message:
          'no stored dtype: this tensor list was built from the config, not read from a file; choose a weight format (bf16, Q4_K_M, …) instead of "stored"',
      },
    ]);
  }
  const ggml = findGgmlType(/^\d+$/.test(dtype) ? Number(dtype) : dtype);
  if (ggml) {
    try {
      return ggmlTensorBytes(ggml.id, tensor.shape);
    } catch (e) {
      if (!InvalidInputError.isInstance(e)) throw e;
      throw new InvalidInputError(
        [
          {
            path: `tensors.${tensor.name}.shape`,
            message: (e as InvalidInputError).issues[0]?.message ?? 'bad shape',
            received: tensor.shape,
          },
        ],
        { cause: e },
      );
    }
  }
  const per = SAFETENSORS_ONLY_DTYPE_BYTES[dtype.toUpperCase()];
  if (per === undefined) {
    throw new InvalidInputError([
      {
        path: `tensors.${tensor.name}.dtype`,
        message: `unknown stored dtype "${dtype}": not a ggml type nor a safetensors dtype`,
        received: dtype,
      },
    ]);
  }
  return tensorElements(tensor) * per;
}

/**
 * The weight format "as stored": each tensor costs what its header says (`Q4_K` blocks, `BF16`
 * elements, packed `U8`, …). The one "as stored" format for GGUF and safetensors inventories; for a
 * GGUF inventory the total equals the file's tensor data size. Id `stored`.
 */
export const storedFormat: WeightFormat = {
  specVersion: 'v1',
  id: 'stored',
  description: 'each tensor in the dtype its GGUF or safetensors header records (exact)',
  bytesForTensor: (t) => {
    const bytes = storedTensorBytes(t);
    const ggml = t.dtype === undefined ? undefined : findGgmlType(/^\d+$/.test(t.dtype) ? Number(t.dtype) : t.dtype);
    return { bytes, type: ggml?.id ?? (t.dtype as string) };
  },
};
