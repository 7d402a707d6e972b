import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CalculatorState, DEFAULT_STATE, queryFromState, stateFromQuery } from './state.js';

const text = fc.string({ maxLength: 40 });
const state: fc.Arbitrary<CalculatorState> = fc.record({
  model: text,
  mode: fc.constantFrom('inference', 'training'),
  engine: fc.constantFrom('formula', 'llama.cpp', 'vllm', 'transformers'),
  quant: text,
  context: text,
  batch: text,
  kv: text,
  gpus: text,
  memory: text,
  method: fc.constantFrom('full', 'lora', 'qlora'),
  optimizer: text,
});

describe('stateFromQuery / queryFromState', () => {
  it('reads back any state it wrote, free text included (hostile or not)', () => {
    fc.assert(
      fc.property(state, (s) => {
        expect(stateFromQuery(queryFromState(s))).toEqual(s);
      }),
    );
  });

  it('writes every field, so a link keeps its meaning when a default changes', () => {
    const q = new URLSearchParams(queryFromState(DEFAULT_STATE));
    expect([...q.keys()].sort()).toEqual(
      ['b', 'ctx', 'engine', 'gpu', 'kv', 'm', 'mem', 'method', 'mode', 'opt', 'q'].sort(),
    );
  });

  it('keeps a bad number as text for the library to reject, and falls back only for unknown choices', () => {
    const s = stateFromQuery('?ctx=abc&b=-2&engine=nope&mode=train');
    expect(s.context).toBe('abc');
    expect(s.batch).toBe('-2');
    expect(s.engine).toBe(DEFAULT_STATE.engine);
    expect(s.mode).toBe('inference');
  });
});
