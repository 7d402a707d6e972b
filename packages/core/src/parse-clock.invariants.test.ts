import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors/invalid-input-error.js';
import { VramkitError } from './errors/vramkit-error.js';
import { PARSE_TIME_BUDGET_MS, ParseTimeBudgetError, parseClock } from './validate.js';

// The parsers' wall-clock budget (issue #15), without timing assertions: a budget of 0 is spent at the
// first check, Infinity never is.
describe('parseClock', () => {
  it('a budget of 0 is spent at the first check: a typed PARSE_ERROR naming the parser, the input and the budget', () => {
    const clock = parseClock('GGUF header', 0, { file: 'm.gguf' });
    let err: unknown;
    try {
      clock.check();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseTimeBudgetError);
    expect(VramkitError.isInstance(err)).toBe(true);
    expect(err).toMatchObject({ code: 'PARSE_ERROR', path: 'parseTimeBudgetMs', parser: 'GGUF header', budgetMs: 0 });
    expect((err as Error).message).toBe(
      'GGUF header "m.gguf" took longer than its 0 ms budget; the input is too large or malformed, or raise parseTimeBudgetMs',
    );
  });

  it('Infinity turns the budget off; the default is 10 s', () => {
    const clock = parseClock('config JSON', Number.POSITIVE_INFINITY);
    for (let i = 0; i < 1000; i++) clock.check();
    expect(PARSE_TIME_BUDGET_MS).toBe(10_000);
    expect(() => parseClock('x').check()).not.toThrow();
  });

  it('refuses a negative or NaN budget by its option path', () => {
    expect(() => parseClock('x', -1)).toThrow(InvalidInputError);
    expect(() => parseClock('x', Number.NaN, { path: 'hub.parseTimeBudgetMs' })).toThrow(
      expect.objectContaining({ path: 'hub.parseTimeBudgetMs' }),
    );
  });
});
