import { describe, expect, it } from 'vitest';
import { llama2_7b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { launchCommand } from './engine-profiles.js';
import { estimateServing } from './estimate-serving.js';
import { lookupGpu } from './gpus.js';
import { llamaCppMemory } from './llama-cpp.js';
import type { ServingOptions } from './serving.js';

// llama-server's own defaults (common/common.h n_ctx 0, fit_params with fit_params_target 1 GiB and
// fit_params_min_ctx 4096; common/arg.cpp n_parallel -1 for the server, which tools/server/server.cpp turns
// into 4 slots with kv_unified) are not vramkit's; the note says so wherever vramkit's own are used.
const SERVER_DEFAULTS = [
  /training context/,
  /1 GiB free per device/,
  /not below 4096 tokens/,
  /4 sequences from one unified KV cache/,
  /launch line sets the context and the sequence count explicitly/,
];

describe("llama.cpp defaults: vramkit's 4096 tokens and 1 sequence, and what llama-server would do instead", () => {
  const base: ServingOptions = {
    engine: 'llama.cpp',
    model: llama2_7b,
    format: ggufFileType('Q4_0'),
    gpus: [lookupGpu('rtx-4090')],
  };

  it('a question with neither context nor sequences: 4096 cells, 1 stream, the note, and a launch line pinning both', () => {
    const e = estimateServing(base);
    const note = e.assumptions.filter((a) => /llama-server left to its own defaults/.test(a));
    expect(note).toHaveLength(1);
    expect(note[0]).toMatch(/^context defaulted to 4,096 tokens per sequence, 1 sequence assumed: /);
    for (const fact of SERVER_DEFAULTS) expect(note[0]).toMatch(fact);
    expect(launchCommand({ options: base, estimate: e, model: 'TheBloke/Llama-2-7B-GGUF' })).toMatch(/ -c 4096 -np 1 /);
  });

  it('no note once the context and sequences are given, by the question or by llama.cpp flags', () => {
    for (const o of [
      { ...base, context: 8192, batch: 2 },
      { ...base, llamaCpp: { ctxSize: 8192, parallel: 2 } },
    ]) {
      expect(estimateServing(o).assumptions.filter((a) => /llama-server left/.test(a))).toEqual([]);
    }
    // Only the sequences left open: the note names that default alone.
    const onlyContext = estimateServing({ ...base, context: 8192 }).assumptions.find((a) =>
      /llama-server left/.test(a),
    );
    expect(onlyContext).toMatch(/^1 sequence assumed: /);
  });

  it('llamaCppMemory itself: `ctxSize` and `parallel` defaults named in one note', () => {
    const r = llamaCppMemory({ model: llama2_7b, format: ggufFileType('Q4_0'), gpus: [] });
    expect(r.kvCells).toBe(4096);
    expect(r.kvStreams).toBe(1);
    const note = r.assumptions.find((a) => /llama-server left/.test(a));
    expect(note).toMatch(/^`ctxSize` defaulted to 4096 tokens, `parallel` defaulted to 1 sequence: /);
    const given = llamaCppMemory({
      model: llama2_7b,
      format: ggufFileType('Q4_0'),
      gpus: [],
      ctxSize: 4096,
      parallel: 1,
    });
    expect(given.assumptions.some((a) => /llama-server left/.test(a))).toBe(false);
  });
});
