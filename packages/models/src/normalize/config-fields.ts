import { ConfigValidationError, excerpt, INPUT_LIMITS, type InputIssue, type InputLimitKind } from '@vramkit/core';

/** A parsed `config.json`: a plain object, read field by field through {@link ConfigReader}. */
export type RawConfig = Record<string, unknown>;

/**
 * Which {@link INPUT_LIMITS} bound applies to a config key (transformers' names and their aliases).
 * Every integer a config holds is bounded; a key not listed here is a width.
 */
export function limitKindForKey(key: string): InputLimitKind {
  if (
    /^(num_hidden_layers|n_layers?|num_layers|first_k_dense_replace|num_nextn_predict_layers|mtp_num_hidden_layers|max_window_layers)$/.test(
      key,
    )
  )
    return 'layers';
  if (/vocab/.test(key)) return 'vocab';
  if (/position|window|context|n_ctx|seq_len|chunk_size/.test(key)) return 'context';
  if (/experts|n_group|topk_group/.test(key)) return 'experts';
  if (/heads$|^n_head/.test(key)) return 'heads';
  return 'width';
}

/**
 * Reads fields of a config with alias keys and typed checks, collecting every problem so the user
 * sees all missing or malformed fields at once (thrown by {@link ConfigReader.done}).
 */
export class ConfigReader {
  readonly issues: InputIssue[] = [];

  constructor(
    readonly config: RawConfig,
    readonly modelType: string,
  ) {}

  private find(keys: readonly string[]): [string, unknown] | undefined {
    for (const k of keys) {
      if (Object.hasOwn(this.config, k) && this.config[k] !== null && this.config[k] !== undefined)
        return [k, this.config[k]];
    }
    return undefined;
  }

  /** True when any of the keys is present and not null. */
  has(...keys: string[]): boolean {
    return this.find(keys) !== undefined;
  }

  /** A positive integer (≥ `min`), required unless `fallback` is given. */
  int(keys: string | readonly string[], options: { fallback?: number; min?: number } = {}): number {
    const names = typeof keys === 'string' ? [keys] : keys;
    const min = options.min ?? 1;
    const hit = this.find(names);
    if (!hit) {
      if (options.fallback !== undefined) return options.fallback;
      this.issues.push({
        path: names[0]!,
        message: `missing; ${this.modelType} configs need it${names.length > 1 ? ` (also read as ${names.slice(1).join(', ')})` : ''}`,
      });
      return min;
    }
    const [key, value] = hit;
    const limit = INPUT_LIMITS[limitKindForKey(key)];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > limit.max) {
      this.issues.push({
        path: key,
        message: `must be an integer from ${min} to ${limit.max.toLocaleString('en-US')} (${limit.reason}), got ${excerpt(value)}`,
        received: typeof value === 'number' ? value : excerpt(value),
      });
      return min;
    }
    return value;
  }

  /** An integer, or an array of integers with one entry per layer (OpenELM-style per-layer widths). */
  intPerLayer(
    keys: string | readonly string[],
    layers: number,
    options: { fallback?: number; min?: number } = {},
  ): number[] {
    const names = typeof keys === 'string' ? [keys] : keys;
    const hit = this.find(names);
    if (hit && Array.isArray(hit[1])) {
      const arr = hit[1] as unknown[];
      const max = INPUT_LIMITS[limitKindForKey(hit[0])].max;
      if (
        arr.length !== layers ||
        !arr.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= (options.min ?? 1) && x <= max)
      ) {
        this.issues.push({
          path: hit[0],
          message: `per-layer array must hold ${layers} integers from ${options.min ?? 1} to ${max.toLocaleString('en-US')}`,
          received: arr.length,
        });
        return new Array<number>(layers).fill(options.min ?? 1);
      }
      return arr as number[];
    }
    const n = this.int(names, options);
    return new Array<number>(layers).fill(n);
  }

  bool(keys: string | readonly string[], fallback: boolean): boolean {
    const hit = this.find(typeof keys === 'string' ? [keys] : keys);
    if (!hit) return fallback;
    if (typeof hit[1] !== 'boolean') {
      this.issues.push({
        path: hit[0],
        message: `must be true or false, got ${excerpt(hit[1])}`,
        received: excerpt(hit[1]),
      });
      return fallback;
    }
    return hit[1];
  }

  string(keys: string | readonly string[]): string | undefined {
    const hit = this.find(typeof keys === 'string' ? [keys] : keys);
    return typeof hit?.[1] === 'string' ? hit[1] : undefined;
  }

  /** An array of strings (e.g. `layer_types`) of the given length, or undefined when absent. */
  stringArray(key: string, length: number): string[] | undefined {
    const hit = this.find([key]);
    if (!hit) return undefined;
    const arr = hit[1];
    if (!Array.isArray(arr) || arr.length !== length || !arr.every((x) => typeof x === 'string')) {
      this.issues.push({
        path: key,
        message: `must be an array of ${length} strings (one per layer)`,
        received: Array.isArray(arr) ? arr.length : excerpt(arr),
      });
      return undefined;
    }
    return arr as string[];
  }

  /** An array of integers (e.g. `mlp_only_layers`), empty when absent. */
  intArray(key: string): number[] {
    const hit = this.find([key]);
    if (!hit) return [];
    const arr = hit[1];
    if (
      !Array.isArray(arr) ||
      arr.length > INPUT_LIMITS.layers.max ||
      !arr.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < INPUT_LIMITS.layers.max)
    ) {
      this.issues.push({
        path: key,
        message: `must be an array of layer indices below ${INPUT_LIMITS.layers.max}`,
        received: excerpt(arr),
      });
      return [];
    }
    return arr as number[];
  }

  /** Throws a {@link ConfigValidationError} listing every problem found so far. */
  done(): void {
    if (this.issues.length > 0) throw new ConfigValidationError(this.modelType, this.issues);
  }
}
