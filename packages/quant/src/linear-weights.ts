import { InvalidInputError, isQuantizableWeight, type Tensor, tensorElements } from '@vramkit/core';
import { assertTensorShape } from './define-weight-format.js';

/**
 * Whether a tensor is a linear weight a GPU quantizer replaces: a 2-D `[out, in]` or 3-D expert
 * `[experts, out, in]` weight that core's `isQuantizableWeight` accepts (no embedding, LM head,
 * router, position embedding or conv1d) and not named in
 * `modulesToNotConvert` (transformers `modules_to_not_convert` / `llm_int8_skip_modules` / `ignore`).
 * @param t the tensor
 * @param modulesToNotConvert substrings, or globs with `*`, matched against the tensor name; `re:` prefixes a regex (compressed-tensors)
 */
export function isQuantizedLinear(t: Tensor, modulesToNotConvert: readonly string[] = []): boolean {
  if (t.shape.length > 3 || !isQuantizableWeight(t)) return false;
  const name = t.name.replace(/\.weight$/, '');
  return !modulesToNotConvert.some((p) => moduleMatches(name, t.module, p));
}

function moduleMatches(name: string, module: string | undefined, pattern: string): boolean {
  if (pattern.startsWith('re:')) return new RegExp(pattern.slice(3)).test(name);
  if (pattern.includes('*')) {
    const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*')}(\\.|$)`);
    return re.test(name);
  }
  // transformers: `any(key in current_key_name for key in modules_to_not_convert)`.
  return name.includes(pattern) || module === pattern;
}

/** Dimensions of a linear weight: experts (1 for 2-D), out features, in features. */
export interface LinearDims {
  experts: number;
  out: number;
  in: number;
}

/**
 * The dimensions of a 2-D or 3-D linear weight.
 * @throws InvalidInputError for other ranks or bad dimensions
 */
export function linearDims(t: Tensor): LinearDims {
  assertTensorShape(t);
  if (t.shape.length === 2) return { experts: 1, out: t.shape[0] as number, in: t.shape[1] as number };
  if (t.shape.length === 3) return { experts: t.shape[0] as number, out: t.shape[1] as number, in: t.shape[2] as number };
  throw new InvalidInputError([{ path: 'tensor.shape', message: `"${t.name}" is not a 2-D or 3-D linear weight`, received: t.shape }]);
}

/** Bytes of a tensor kept unquantized in a plain dtype of `bytesPerElement` bytes. */
export function plainTensorBytes(t: Tensor, bytesPerElement: number, type: string): { bytes: number; type: string } {
  assertTensorShape(t);
  return { bytes: tensorElements(t) * bytesPerElement, type };
}

/**
 * Throws when `value` is not a multiple of `multiple`, naming the format's packing rule.
 * @throws InvalidInputError
 */
export function requireMultiple(t: Tensor, what: string, value: number, multiple: number, why: string): void {
  if (value % multiple !== 0) {
    throw new InvalidInputError([
      { path: 'tensor.shape', message: `"${t.name}": ${what} ${value} is not a multiple of ${multiple} (${why})`, received: t.shape },
    ]);
  }
}

/** Validates an integer option of a format. @throws InvalidInputError naming `format.<name>` */
export function optionIn<T extends number | string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new InvalidInputError([{ path: `format.${name}`, message: `must be one of ${allowed.join(', ')}, got ${String(value)}`, received: value }]);
  }
  return value;
}

/** Validates a positive integer option. @throws InvalidInputError */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidInputError([{ path: `format.${name}`, message: `must be a positive integer, got ${value}`, received: value }]);
  }
  return value;
}
