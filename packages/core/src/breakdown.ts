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
export function part(
  bytes: number,
  note: string,
  extra: Omit<BreakdownPart, 'bytes' | 'note'> = {},
): BreakdownPart {
  return { bytes: Math.ceil(bytes), note, ...extra };
}

/** Sums the direct children of a part map. */
export function sumParts(parts: Record<string, BreakdownPart>): number {
  let total = 0;
  for (const key in parts) total += parts[key]!.bytes;
  return total;
}
