import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { llamaCppMemory } from './llama-cpp.js';

// src/llama-context.cpp: the context reserves n_seq_max output rows at start and asserts they fit in
// n_outputs_max, which llama-server caps at -b (tools/server/server-context.cpp server_output_limits).
// The harness saw the abort: node-llama-cpp with -c 100 -np 128 -ub 100 (n_batch 100) dies on
// "GGML_ASSERT(n_outputs_max <= cparams.n_outputs_max) failed", so no fixture can hold it.
describe('llama.cpp: more sequences than the logical batch', () => {
  const base = { model: llama2_7b, format: ggufFileType('Q4_0'), gpus: [], ctxSize: 65536 };

  it('is refused on `parallel`, naming the assertion and the fix', () => {
    let err: unknown;
    try {
      llamaCppMemory({ ...base, parallel: 128, batchSize: 100, ubatchSize: 100 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).path).toBe('llamaCpp.parallel');
    expect((err as Error).message).toMatch(/GGML_ASSERT\(n_outputs_max <= cparams.n_outputs_max\)/);
    expect((err as Error).message).toMatch(/raise batchSize to at least 128 or lower parallel/);
  });

  it('as many sequences as the batch holds is accepted, one output row each', () => {
    const r = llamaCppMemory({ ...base, parallel: 128, batchSize: 128, ubatchSize: 128 });
    expect(r.host.parts.output!.bytes).toBe(4 * llama2_7b.vocabSize * 128);
  });
});
