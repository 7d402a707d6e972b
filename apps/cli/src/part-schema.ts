import { z } from 'zod';

// In a module of its own so that every output schema can import it without an import cycle: through
// output-schema.ts ⇄ serve/output-schemas.ts, PartSchema was still undefined when the serve and train
// schemas were built, and `vramkit schema estimate-serve` published `{ type: "string" }` for each part.

/** A part of a memory breakdown, recursively. */
export interface JsonPart {
  bytes: number;
  note: string;
  source?: string;
  accuracy?: 'exact' | 'model';
  parts?: Record<string, JsonPart>;
}

const bytes = z.number().int().nonnegative().describe('bytes (integer)');

/** One breakdown part in the --json outputs: bytes, a note, and its own parts. */
export const PartSchema: z.ZodType<JsonPart> = z.lazy(() =>
  z.object({
    bytes,
    note: z.string(),
    source: z.string().optional(),
    accuracy: z.enum(['exact', 'model']).optional(),
    parts: z.record(z.string(), PartSchema).optional(),
  }),
);
