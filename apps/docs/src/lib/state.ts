import { z } from 'zod';

/**
 * The calculator's whole state, as it lives in the URL query. Every field is the text the user typed
 * (or the link carried): the library parses and validates it, so a bad value shows the library's own
 * error next to its field instead of being coerced or dropped here.
 */
export const CalculatorStateSchema = z.object({
  /** Hub id or catalogue id. */
  model: z.string().default('meta-llama/Llama-3.1-8B'),
  mode: z.enum(['inference', 'training']).catch('inference').default('inference'),
  /** `formula` is core's engine-independent estimateInference; the others are core's engine profiles. */
  engine: z.enum(['formula', 'llama.cpp', 'vllm', 'transformers']).catch('llama.cpp').default('llama.cpp'),
  /** Weight format id of `@vramkit/quant`'s registry, or `auto` (the checkpoint's own format, else the library default). */
  quant: z.string().default('Q4_K_M'),
  context: z.string().default('8192'),
  batch: z.string().default('1'),
  kv: z.string().default('f16'),
  /** GPU catalogue ids, comma-separated (repeat an id for several cards). */
  gpus: z.string().default('rtx-4090'),
  /** Custom capacity per GPU (`24GiB`, `80 GB`); overrides `gpus` when set. */
  memory: z.string().default(''),
  /** Training only. */
  method: z.enum(['full', 'lora', 'qlora']).catch('full').default('full'),
  optimizer: z.string().default('adamw'),
});

export type CalculatorState = z.infer<typeof CalculatorStateSchema>;

/** Short query keys, so a shared link stays readable. */
const KEYS: Record<keyof CalculatorState, string> = {
  model: 'm',
  mode: 'mode',
  engine: 'engine',
  quant: 'q',
  context: 'ctx',
  batch: 'b',
  kv: 'kv',
  gpus: 'gpu',
  memory: 'mem',
  method: 'method',
  optimizer: 'opt',
};

/** The default state (what an empty query means). */
export const DEFAULT_STATE: CalculatorState = CalculatorStateSchema.parse({});

/**
 * Reads the state from a query string. Unknown enum values fall back to the default (the select cannot
 * show them); free-text fields keep whatever the link says so the library can reject it visibly.
 */
export function stateFromQuery(search: string): CalculatorState {
  const params = new URLSearchParams(search);
  const raw: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS)) {
    const v = params.get(key);
    if (v !== null) raw[field] = v;
  }
  return CalculatorStateSchema.parse(raw);
}

/**
 * Writes the state as a query string. Every field is written, defaults included, so that a shared link
 * keeps its meaning when a later version of the site changes a default.
 */
export function queryFromState(state: CalculatorState): string {
  const params = new URLSearchParams();
  for (const [field, key] of Object.entries(KEYS) as [keyof CalculatorState, string][])
    params.set(key, String(state[field]));
  return `?${params.toString()}`;
}
