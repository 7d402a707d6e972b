import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSafetensorsFile } from '../testing/safetensors-writer.js';
import { MAX_SAFETENSORS_HEADER_BYTES, parseSafetensorsHeader, safetensorsHeaderLength } from './parse-header.js';

const enc = (s: string) => new TextEncoder().encode(s);
function withLength(n: bigint, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + body.byteLength);
  new DataView(out.buffer).setBigUint64(0, n, true);
  out.set(body, 8);
  return out;
}
const file = (json: string) => withLength(BigInt(enc(json).byteLength), enc(json));

describe('parseSafetensorsHeader', () => {
  it('reads 2 tensors (4096×4096 BF16 and 4096 F32) with their offsets and 33,570,816 data bytes', () => {
    const f = buildSafetensorsFile([
      { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'BF16', shape: [4096, 4096] },
      { name: 'model.norm.weight', dtype: 'F32', shape: [4096] },
    ]);
    const h = parseSafetensorsHeader(f.head, 'model.safetensors', f.size);
    expect(h.entries.map((e) => e.name)).toEqual(['model.layers.0.self_attn.q_proj.weight', 'model.norm.weight']);
    expect(h.dataBytes).toBe(4096 * 4096 * 2 + 4096 * 4);
    expect(h.headerBytes).toBe(f.head.byteLength);
    expect(h.metadata).toEqual({ format: 'pt' });
  });

  it('rejects a file shorter than the 8-byte length prefix', () => {
    expect(() => parseSafetensorsHeader(new Uint8Array(5), 'x.safetensors')).toThrow(/truncated: 5 bytes/);
  });

  it('rejects a declared header length of 2^63 (oversized) before allocating', () => {
    expect(() => safetensorsHeaderLength(withLength(2n ** 63n), 'x.safetensors')).toThrow(/exceeds 25000000 bytes/);
    expect(() => safetensorsHeaderLength(withLength(BigInt(MAX_SAFETENSORS_HEADER_BYTES + 1)), 'x')).toThrow(/exceeds/);
  });

  it('rejects a header cut short (declares 100 bytes, holds 10)', () => {
    expect(() => parseSafetensorsHeader(withLength(100n, enc('{"a":{"dt')), 'x.safetensors')).toThrow(
      /truncated: header declares 100/,
    );
  });

  it('rejects non-JSON, arrays, unknown dtypes, bad shapes and offsets that disagree with the shape', () => {
    expect(() => parseSafetensorsHeader(file('not json'), 'x')).toThrow(/not valid JSON/);
    expect(() => parseSafetensorsHeader(file('[1]'), 'x')).toThrow(/not a JSON object/);
    expect(() => parseSafetensorsHeader(file('{"t":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]}}'), 'x')).toThrow(
      /unknown dtype/,
    );
    expect(() => parseSafetensorsHeader(file('{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}'), 'x')).toThrow(
      /invalid shape/,
    );
    expect(() => parseSafetensorsHeader(file('{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}'), 'x')).toThrow(
      /needs 8 bytes but data_offsets span 4/,
    );
    expect(() =>
      parseSafetensorsHeader(file('{"t":{"dtype":"F32","shape":[1e300,1e300],"data_offsets":[0,4]}}'), 'x'),
    ).toThrow(/invalid shape/);
  });

  it('ignores __proto__ entries instead of polluting prototypes', () => {
    const h = parseSafetensorsHeader(
      file(
        '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
      ),
      'x',
    );
    expect(h.entries.map((e) => e.name)).toEqual(['t']);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });

  it('round-trips any list of tensors the writer produces (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/),
            dtype: fc.constantFrom('BF16', 'F32', 'U8'),
            shape: fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 3 }),
          }),
          { maxLength: 12 },
        ),
        (tensors) => {
          const unique = [
            ...new Map(tensors.filter((t) => t.name !== '__metadata__').map((t) => [t.name, t])).values(),
          ];
          const f = buildSafetensorsFile(unique);
          const h = parseSafetensorsHeader(f.head, 'p', f.size);
          expect(h.entries.map((e) => [e.name, e.dtype, e.shape])).toEqual(
            unique.map((t) => [t.name, t.dtype, t.shape]),
          );
          expect(h.headerBytes + h.dataBytes).toBe(f.size);
        },
      ),
      { numRuns: 100 },
    );
  });
});
