import type { Architecture } from '../model/architecture.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { isPreparedModel, type PreparedModel, prepareModel } from '../model/prepare-model.js';
import type { Tensor } from '../model/tensor.js';
import type { WeightFormat } from '../formats/weight-format.js';

/** Prepares a model once (accepts an architecture or a prepared model). */
export function prepared(model: Architecture | PreparedModel): PreparedModel {
  return isPreparedModel(model) ? model : prepareModel(model);
}

const tensorMemo = new WeakMap<PreparedModel, WeakMap<WeightFormat, { tensor: Tensor; bytes: number }[]>>();

/**
 * Bytes of every runtime tensor (MTP skipped) in a format, in inventory order; memoized per prepared
 * model and format (the prepared model's `weightsIn` lists MTP-free tensors in the same order).
 */
export function tensorBytes(p: PreparedModel, format: WeightFormat): readonly { tensor: Tensor; bytes: number }[] {
  let byFormat = tensorMemo.get(p);
  if (!byFormat) {
    byFormat = new WeakMap();
    tensorMemo.set(p, byFormat);
  }
  let hit = byFormat.get(format);
  if (!hit) {
    const per = p.weightsIn(format).perTensor;
    const runtime = p.tensors.filter((t) => !t.mtp);
    hit = runtime.map((tensor, i) => ({ tensor, bytes: per[i]!.bytes }));
    byFormat.set(format, hit);
  }
  return hit;
}

/** Throws an InvalidInputError unless `value` is an integer ≥ min. */
export function requireInt(value: number, min: number, path: string, what: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidInputError([{ path, message: `${what} must be a whole number ≥ ${min}`, received: value }]);
  }
}

/** Throws an InvalidInputError unless `value` is finite and within [min, max]. */
export function requireRange(value: number, min: number, max: number, path: string, what: string): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new InvalidInputError([{ path, message: `${what} must be between ${min} and ${max}`, received: value }]);
  }
}

const sliceMemo = new WeakMap<Architecture, Map<string, Architecture>>();

/**
 * An architecture restricted to layers [from, to), for per-device KV and compute; memoized so that
 * repeated solver runs reuse core's per-architecture layer classes.
 */
export function layerSlice(arch: Architecture, from: number, to: number): Architecture {
  return memoArch(arch, `slice:${from}:${to}`, () => ({ ...arch, layers: arch.layers.slice(from, to) }));
}

/** A derived architecture cached per source architecture and key. */
export function memoArch(arch: Architecture, key: string, make: () => Architecture): Architecture {
  let m = sliceMemo.get(arch);
  if (!m) {
    m = new Map();
    sliceMemo.set(arch, m);
  }
  let hit = m.get(key);
  if (!hit) {
    hit = make();
    m.set(key, hit);
  }
  return hit;
}

/** Rounds `n` up to a multiple of `pad` (GGML_PAD). */
export function padTo(n: number, pad: number): number {
  return Math.ceil(n / pad) * pad;
}
