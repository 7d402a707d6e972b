import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './invalid-input-error.js';
import { NoSuchFormatError } from './no-such-format-error.js';
import { VramkitError } from './vramkit-error.js';

describe('VramkitError.isInstance', () => {
  it('recognizes errors from this copy and from another copy of core (Symbol.for marker)', () => {
    expect(VramkitError.isInstance(new InvalidInputError([{ path: 'a', message: 'b' }]))).toBe(true);
    const foreign = Object.assign(new Error('x'), { [Symbol.for('vramkit.error')]: true, code: 'INVALID_INPUT' });
    expect(VramkitError.isInstance(foreign)).toBe(true);
    expect(VramkitError.isInstance(new Error('x'))).toBe(false);
    expect(VramkitError.isInstance(null)).toBe(false);
  });

  it('names the unknown format, the known ones and the command that lists them', () => {
    const e = new NoSuchFormatError('q9_x', ['Q4_K_M', 'Q8_0']);
    expect(e.message).toBe('Unknown format "q9_x". Known: Q4_K_M, Q8_0');
    expect(e.code).toBe('NO_SUCH_FORMAT');
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new VramkitError('PARSE_ERROR', 'x', { cause }).cause).toBe(cause);
  });
});
