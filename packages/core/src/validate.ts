import * as v from 'valibot';
import { type InputIssue, InvalidInputError } from './errors/invalid-input-error.js';

/** Converts valibot issues to ours, with a dotted path rooted at `root`. */
export function toInputIssues(issues: readonly v.BaseIssue<unknown>[], root: string): InputIssue[] {
  return issues.map((issue) => {
    const keys = (issue.path ?? []).map((p) => String(p.key));
    return { path: [root, ...keys].filter(Boolean).join('.'), message: issue.message, received: issue.input };
  });
}

/**
 * Parses `input` with a valibot schema or throws an {@link InvalidInputError} naming every bad field.
 * @throws InvalidInputError
 */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown, root: string): v.InferOutput<S> {
  const r = v.safeParse(schema, input);
  if (!r.success) throw new InvalidInputError(toInputIssues(r.issues, root));
  return r.output;
}

/** A finite integer ≥ `min`, with a message that says what to pass. */
export const integerAtLeast = (min: number, what: string) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.finite(`${what} must be finite, not NaN or Infinity`),
    v.integer(`${what} must be a whole number`),
    v.minValue(min, `${what} must be ≥ ${min}`),
  );

/** A finite number within `[min, max]`. */
export const numberBetween = (min: number, max: number, what: string) =>
  v.pipe(v.number(`${what} must be a number`), v.finite(`${what} must be finite`), v.minValue(min, `${what} must be ≥ ${min}`), v.maxValue(max, `${what} must be ≤ ${max}`));
