import { parseClock, VramkitError } from '@vramkit/core';
import { ModelParseError } from './errors.js';

// Keys that would reach Object.prototype through a later spread or assignment.
const POISON = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses JSON from the network or a file, dropping `__proto__`, `constructor` and `prototype` keys
 * at every depth so a hostile config cannot pollute prototypes downstream.
 * @param input the body (bytes or text)
 * @param file name used in the error message
 * @param options.parseTimeBudgetMs wall-clock budget of the parse (default core's `PARSE_TIME_BUDGET_MS`, 10 s),
 *   checked before the parse and every 4,096 values
 * @returns the parsed value
 * @throws ModelParseError when the body is not JSON; ParseTimeBudgetError past the budget
 */
export function parseJsonSafe(
  input: Uint8Array | string,
  file: string,
  options: { parseTimeBudgetMs?: number } = {},
): unknown {
  const clock = parseClock(file.endsWith('config.json') ? 'config JSON' : 'JSON', options.parseTimeBudgetMs, { file });
  clock.check();
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  let values = 0;
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if ((++values & 4095) === 0) clock.check();
      return POISON.has(key) ? undefined : value;
    });
  } catch (e) {
    if (VramkitError.isInstance(e)) throw e;
    // A short excerpt only: the body may be a 100 MB HTML page or a file that is not the user's to print.
    const start = text.slice(0, 24).replace(/\s+/g, ' ');
    throw new ModelParseError(
      file,
      `not valid JSON (starts with ${JSON.stringify(start)}${text.length > 24 ? '…' : ''})`,
      { cause: e },
    );
  }
}

/** Like {@link parseJsonSafe}, and the value must be a JSON object. */
export function parseJsonObject(
  input: Uint8Array | string,
  file: string,
  options: { parseTimeBudgetMs?: number } = {},
): Record<string, unknown> {
  const value = parseJsonSafe(input, file, options);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelParseError(file, `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
