/**
 * One term of a memory estimate: its size, the formula that gave it, where the formula comes from,
 * and its own children. Bytes are integers.
 */
export interface BreakdownPart {
  bytes: number;
  /** The formula in one line, with the numbers that went in. */
  note: string;
  /** Where the formula or constant comes from (paper, runtime source file), when it is a model. */
  source?: string;
  /** `exact` when arithmetic decides it (weights, KV), `model` when it is an estimate. */
  accuracy?: 'exact' | 'model';
  parts?: Record<string, BreakdownPart>;
}

/** A memory estimate as a tree: `total` is the sum of the top-level `parts`. */
export interface Breakdown {
  total: number;
  parts: Record<string, BreakdownPart>;
}

/** Builds a part, rounding the byte count up to an integer (memory is never fractional). */
export function part(bytes: number, note: string, extra: Omit<BreakdownPart, 'bytes' | 'note'> = {}): BreakdownPart {
  return { bytes: Math.ceil(bytes), note, ...extra };
}

/** Sums the direct children of a part map. */
export function sumParts(parts: Record<string, BreakdownPart>): number {
  let total = 0;
  for (const key in parts) total += parts[key]!.bytes;
  return total;
}

/** A part whose note is formatted on first read; serializes like a plain part (see {@link lazyPart}). */
class LazyBreakdownPart implements BreakdownPart {
  bytes: number;
  source?: string;
  accuracy?: 'exact' | 'model';
  parts?: Record<string, BreakdownPart>;
  #note: (() => string) | string;

  constructor(bytes: number, note: () => string, extra: Omit<BreakdownPart, 'bytes' | 'note'>) {
    this.bytes = Math.ceil(bytes);
    this.#note = note;
    if (extra.source !== undefined) this.source = extra.source;
    if (extra.accuracy !== undefined) this.accuracy = extra.accuracy;
    if (extra.parts !== undefined) this.parts = extra.parts;
  }

  get note(): string {
    if (typeof this.#note === 'function') this.#note = this.#note();
    return this.#note;
  }

  toJSON(): BreakdownPart {
    return {
      bytes: this.bytes,
      note: this.note,
      ...(this.source !== undefined ? { source: this.source } : {}),
      ...(this.accuracy ? { accuracy: this.accuracy } : {}),
      ...(this.parts ? { parts: this.parts } : {}),
    };
  }
}

/**
 * Builds a part whose note is written only when read. Estimates run millions of times in solvers;
 * formatting a note costs more than the arithmetic, and most notes are never shown. `note` reads
 * like a property and `JSON.stringify` includes it; use `toJSON()` for a plain-object copy.
 */
export function lazyPart(
  bytes: number,
  note: () => string,
  extra: Omit<BreakdownPart, 'bytes' | 'note'> = {},
): BreakdownPart {
  return new LazyBreakdownPart(bytes, note, extra);
}
