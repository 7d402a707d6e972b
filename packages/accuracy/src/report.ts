/** The report's shape and its arithmetic: one case, one category, the summary of a category. */

/** Units a case is compared in (the unit its source prints). */
export type AccuracyUnit = 'count' | 'bytes' | 'MiB' | 'GiB' | 'MB' | 'blocks';

/** One compared figure: what a source published, measured or recorded, and vramkit's answer. */
export interface AccuracyCase {
  id: string;
  expected: number;
  actual: number;
  unit: AccuracyUnit;
  /** The record's own source (a link or a file) where the category's is not specific enough. */
  source?: string;
  /**
   * The precision the source prints `expected` with, in `unit` (e.g. 0.01 MiB for llama.cpp's
   * buffers): an answer within it is exact, since the source cannot tell them apart.
   */
  resolution?: number;
  /** Why a case outside its category's target is off. Every such case needs one. */
  cause?: string;
}

/** One category of the report. */
export interface AccuracyCategory {
  /** Stable key (`parameters`, `lora`, …). */
  key: string;
  name: string;
  /** Relative error allowed per case (0 = exact). */
  target: number;
  /** Where the expected figures come from, and what they are. */
  source: string;
  cases: AccuracyCase[];
}

/** A category's summary numbers. */
export interface AccuracySummary {
  cases: number;
  exact: number;
  median: number;
  worst: number;
  /** The cases whose error exceeds the target, each with its cause (or none recorded). */
  outside: AccuracyCase[];
}

/**
 * Relative error of a case, |actual / expected − 1|; 0 where the answer is within the printed
 * precision of the expected figure.
 */
export function relativeError(c: AccuracyCase): number {
  const diff = Math.abs(c.actual - c.expected);
  if (diff === 0 || (c.resolution !== undefined && diff <= c.resolution + 1e-9)) return 0;
  return c.expected === 0 ? 1 : diff / Math.abs(c.expected);
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Cases, exact, median and worst error, and the cases outside the target. */
export function summarize(c: AccuracyCategory): AccuracySummary {
  const errs = c.cases.map(relativeError);
  return {
    cases: c.cases.length,
    exact: errs.filter((e) => e === 0).length,
    median: median(errs),
    worst: Math.max(0, ...errs),
    outside: c.cases.filter((x) => relativeError(x) > c.target),
  };
}

/** Cases outside their target that carry no cause (the report fails on any). */
export function unexplained(cats: AccuracyCategory[]): { category: string; id: string }[] {
  return cats.flatMap((c) =>
    summarize(c)
      .outside.filter((o) => !o.cause)
      .map((o) => ({ category: c.name, id: o.id })),
  );
}
