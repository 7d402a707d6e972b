import { ModelParseError } from './errors.js';

// Keys that would reach Object.prototype through a later spread or assignment.
const POISON = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses JSON from the network or a file, dropping `__proto__`, `constructor` and `prototype` keys
 * at every depth so a hostile config cannot pollute prototypes downstream.
 * @param input the body (bytes or text)
 * @param file name used in the error message
 * @returns the parsed value
 * @throws ModelParseError when the body is not JSON
 */
export function parseJsonSafe(input: Uint8Array | string, file: string): unknown {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  try {
    return JSON.parse(text, (key, value: unknown) => (POISON.has(key) ? undefined : value));
  } catch (e) {
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
export function parseJsonObject(input: Uint8Array | string, file: string): Record<string, unknown> {
  const value = parseJsonSafe(input, file);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelParseError(file, `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
