import { describe, expect, it } from 'vitest';
import { parseJsonObject, parseJsonSafe } from './safe-json.js';

describe('parseJsonSafe', () => {
  it('drops __proto__, constructor and prototype keys at every depth', () => {
    const v = parseJsonSafe(
      '{"a":1,"__proto__":{"polluted":true},"b":{"constructor":{"prototype":{"x":1}},"c":2}}',
      'config.json',
    ) as Record<string, unknown>;
    expect(v).toEqual({ a: 1, b: { c: 2 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it('throws PARSE_ERROR naming the file for a non-JSON body', () => {
    expect(() => parseJsonSafe('<html>', 'config.json')).toThrow(/config.json: not valid JSON/);
  });
});

describe('parseJsonObject', () => {
  it('rejects an array where an object is expected', () => {
    expect(() => parseJsonObject('[1,2]', 'config.json')).toThrow(/expected a JSON object, got an array/);
  });
});
