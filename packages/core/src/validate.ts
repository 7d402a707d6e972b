import * as v from 'valibot';
import { type InputIssue, InvalidInputError } from './errors/invalid-input-error.js';
import { VramkitError } from './errors/vramkit-error.js';

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
    v.maxValue(Number.MAX_SAFE_INTEGER, `${what} must be below 2^53 (a larger number is not exact)`),
  );

/** A finite number within `[min, max]`. */
export const numberBetween = (min: number, max: number, what: string) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.finite(`${what} must be finite`),
    v.minValue(min, `${what} must be ≥ ${min}`),
    v.maxValue(max, `${what} must be ≤ ${max}`),
  );

/**
 * Upper bounds on every count and size vramkit reads from a config, a file header, a trainer config or
 * a flag, checked before any arithmetic or allocation so that a hostile or corrupt input ends in a typed
 * error naming the field, never an out-of-memory crash, a stack overflow, NaN or Infinity. Each bound is
 * far above any published model (the reason says by how much) and low enough that the products vramkit
 * forms (parameters × 16 bytes of training state, layers × tokens × KV width) stay below 2^53.
 */
export const INPUT_LIMITS = {
  /** Decoder layers. The deepest published LLMs have 118–126 (PaLM, Llama 3.1 405B); per-layer arrays stay small. */
  layers: { max: 10_000, reason: 'about 80× the deepest published model (Llama 3.1 405B: 126 layers)' },
  /** Hidden, intermediate and head widths, ranks, kernel and state sizes. */
  width: { max: 2 ** 20, reason: 'about 14× the widest published layer (PaLM 540B: 73,728-wide MLP)' },
  /** Vocabulary rows. */
  vocab: { max: 2 ** 24, reason: 'about 64× the largest published vocabulary (Gemma 3: 262,144)' },
  /** Attention and KV heads. */
  heads: { max: 2 ** 16, reason: 'about 500× the most heads published (DeepSeek-V3: 128)' },
  /** Routed or shared experts, and experts per token. */
  experts: { max: 2 ** 16, reason: 'about 128× the most experts published (Qwen3-Next: 512)' },
  /** Context, positions and attention windows in tokens. */
  context: { max: 2 ** 30, reason: 'about 100× the longest published context (Llama 4 Scout: 10M tokens)' },
  /** Sequences in a batch, gradient-accumulation steps, micro-batches. */
  batch: { max: 2 ** 20, reason: 'a million sequences per step' },
  /** Parameters of a whole model; ×128 bytes (training states, fp64) still fits in 2^53. */
  parameters: { max: 2 ** 46, reason: 'about 70 trillion, 35× the largest published model' },
  /** Characters of a name (model_type, architecture) echoed in messages. */
  nameChars: { max: 128, reason: 'model_type and architecture names are a few dozen characters' },
} as const;

/** Which of {@link INPUT_LIMITS} bounds a value. */
export type InputLimitKind = keyof typeof INPUT_LIMITS;

/**
 * At most `max` characters of a value for an error message, with the total length when cut, so that a
 * 100 MB field never ends up in a terminal or a log.
 * @param value anything; strings are quoted as JSON, other values as `JSON.stringify` gives them
 */
export function excerpt(value: unknown, max = 60): string {
  if (Array.isArray(value) && value.length > 16) return `an array of ${value.length.toLocaleString('en-US')} items`;
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  const quote = (t: string) => (typeof value === 'string' ? JSON.stringify(t) : t);
  if (text.length <= max) return quote(text);
  return `${quote(text.slice(0, max))}… (${text.length.toLocaleString('en-US')} characters)`;
}

/**
 * Default wall-clock budget of one parse (a safetensors or GGUF header, a config.json, a trainer
 * config), beside its byte budget: 10 s. The largest real inputs parse in well under a second here
 * (a 25 MB safetensors header: ~0.3 s); the bound keeps a pathological one from holding the process.
 */
export const PARSE_TIME_BUDGET_MS = 10_000;

/** A parse that ran past its wall-clock budget. `parser` names it; `budgetMs` is the budget it had. */
export class ParseTimeBudgetError extends VramkitError {
  readonly parser: string;
  readonly budgetMs: number;

  constructor(parser: string, budgetMs: number, file: string | undefined, path: string) {
    super(
      'PARSE_ERROR',
      `${parser}${file ? ` ${excerpt(file)}` : ''} took longer than its ${budgetMs.toLocaleString('en-US')} ms budget; the input is too large or malformed, or raise ${path}`,
      { path },
    );
    this.name = 'ParseTimeBudgetError';
    this.parser = parser;
    this.budgetMs = budgetMs;
  }
}

/** The clock of one parse: `check()` throws once the budget is spent. */
export interface ParseClock {
  /** @throws ParseTimeBudgetError when the budget is spent (a budget of 0 is spent at the first check) */
  check(): void;
  /** Leaves `ms` out of the budget: time spent waiting on something bounded elsewhere (a range read). */
  exclude(ms: number): void;
}

/**
 * Starts a parser's wall-clock budget. Parsers call `check()` at their loop points (per tensor, per key,
 * per range read), so a budget of 0 fails deterministically at the first one.
 * @param parser the parser's name for the message (`safetensors header`, `GGUF header`, `config.json`, `trainer config`)
 * @param budgetMs the budget (default {@link PARSE_TIME_BUDGET_MS}); `Infinity` turns it off
 * @param options.file the input's name; options.path the option that sets the budget (default `parseTimeBudgetMs`)
 * @throws InvalidInputError for a negative or NaN budget
 */
export function parseClock(
  parser: string,
  budgetMs: number = PARSE_TIME_BUDGET_MS,
  options: { file?: string; path?: string } = {},
): ParseClock {
  const path = options.path ?? 'parseTimeBudgetMs';
  if (typeof budgetMs !== 'number' || Number.isNaN(budgetMs) || budgetMs < 0)
    throw new InvalidInputError([
      { path, message: 'a parse time budget is a number of milliseconds ≥ 0 (Infinity: none)', received: budgetMs },
    ]);
  let start = performance.now();
  return {
    check() {
      if (performance.now() - start >= budgetMs) throw new ParseTimeBudgetError(parser, budgetMs, options.file, path);
    },
    exclude(ms) {
      start += ms;
    },
  };
}

/**
 * Guards a result: a total of bytes that is not a safe integer came from workload values whose product
 * leaves the exact range (context × batch × KV width, or a quadratic attention term), so it is a typed
 * error naming the field instead of 1e21 bytes, NaN or Infinity in the output.
 * @param total the result's total bytes
 * @param path the workload field to name (`workload.context`)
 * @param received the workload, for the message
 * @throws InvalidInputError when `total` is not a safe non-negative integer
 */
export function requireExactTotal(total: number, path: string, received: Record<string, unknown>): void {
  if (Number.isSafeInteger(total) && total >= 0) return;
  throw new InvalidInputError([
    {
      path,
      message: `this workload (${excerpt(received, 120)}) needs more than 2^53 bytes, beyond exact arithmetic and any GPU: use a smaller context, batch or sequence`,
      received: received[path.split('.').pop() ?? ''],
    },
  ]);
}
