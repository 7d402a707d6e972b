import { appendFileSync } from 'node:fs';
import { VramkitError } from '@vramkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listCatalogue } from '../catalogue/catalogue.js';
import { normalizeConfig } from '../normalize/normalize-config.js';
import { checkpointTensors } from '../testing/fixture-repos.js';
import { buildSafetensorsFile } from '../testing/safetensors-writer.js';
import { parseSafetensorsHeader } from './parse-header.js';
import { inventoryFromHeaders } from './read-safetensors.js';

// Mutation fuzzers over safetensors headers (issue #15): byte-level (flips, cuts, splices) and
// JSON-level (hostile names, shapes, dtypes, offsets). Fixed seed and run count in CI;
// VRAMKIT_FUZZ_RUNS / VRAMKIT_FUZZ_SEED for long runs, VRAMKIT_FUZZ_REPORT=<file> records counts.
const RUNS = Number(process.env.VRAMKIT_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.VRAMKIT_FUZZ_SEED ?? 15);
function record(parser: string, accepted: number, refused: number): void {
  const file = process.env.VRAMKIT_FUZZ_REPORT;
  if (file)
    appendFileSync(file, `${JSON.stringify({ parser, runs: accepted + refused, seed: SEED, accepted, refused })}\n`);
}

const arch = normalizeConfig(listCatalogue().find((e) => e.id === 'Qwen/Qwen3-0.6B')!.config).architecture;
const valid = buildSafetensorsFile(checkpointTensors({ ...arch, layers: arch.layers.slice(0, 2) }));
const validJson = JSON.parse(new TextDecoder().decode(valid.head.subarray(8))) as Record<
  string,
  { dtype: string; shape: number[]; data_offsets: number[] }
>;

/** Parses, then builds the inventory; returns true when accepted. Any throw must be a VramkitError. */
function check(bytes: Uint8Array, fileSize: number): boolean {
  try {
    const header = parseSafetensorsHeader(bytes, 'fuzz.safetensors', fileSize);
    const inv = inventoryFromHeaders([{ file: 'fuzz.safetensors', header }]);
    expect(Number.isSafeInteger(inv.total) && inv.total >= 0).toBe(true);
    for (const t of inv.tensors) {
      expect(t.layer === undefined || (Number.isSafeInteger(t.layer) && t.layer < 10_000)).toBe(true);
      expect(t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
    }
    return true;
  } catch (e) {
    if (!VramkitError.isInstance(e)) throw e;
    expect(e.message.length).toBeLessThan(2000);
    return false;
  }
}

function withLength(json: string): Uint8Array {
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + body.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  out.set(body, 8);
  return out;
}

describe(`safetensors headers under mutation (${RUNS} inputs per fuzzer, seed ${SEED})`, () => {
  it('byte mutations (flips, cuts, splices, length prefix) end in a typed error or a sane inventory', {
    timeout: Math.max(30_000, RUNS * 60),
  }, () => {
    let accepted = 0;
    let refused = 0;
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 32 }) }),
      fc.record({ kind: fc.constant('length' as const), n: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    );
    fc.assert(
      fc.property(
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (edits, size) => {
          let bytes = valid.head.slice();
          for (const e of edits) {
            const at = bytes.byteLength === 0 ? 0 : e.kind === 'length' ? 0 : e.at % bytes.byteLength;
            if (e.kind === 'flip') bytes[at] = e.byte;
            else if (e.kind === 'cut') bytes = bytes.slice(0, at);
            else if (e.kind === 'splice')
              bytes = new Uint8Array([...bytes.subarray(0, at), ...e.bytes, ...bytes.subarray(at)]);
            else if (bytes.byteLength >= 8) new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(0, e.n, true);
          }
          if (check(bytes, edits.length % 2 === 0 ? valid.size : size)) accepted++;
          else refused++;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(accepted + refused).toBe(RUNS);
    record('safetensors header (bytes)', accepted, refused);
  });

  it('JSON mutations (names, shapes, dtypes, offsets, metadata) end in a typed error or a sane inventory', {
    timeout: Math.max(30_000, RUNS * 60),
  }, () => {
    let accepted = 0;
    let refused = 0;
    const names = Object.keys(validJson).filter((k) => k !== '__metadata__');
    const value = fc.oneof(
      fc.constantFrom(0, -1, 2 ** 53, 2 ** 64, 1e308, 1.5, '8', null, true, [], {}),
      fc.array(fc.oneof(fc.integer(), fc.constantFrom(2 ** 53, 1e308, -1, 0.5)), { maxLength: 10 }),
      fc.string({ maxLength: 8 }),
    );
    const edit = fc.oneof(
      fc.record({
        kind: fc.constant('field' as const),
        tensor: fc.constantFrom(...names),
        field: fc.constantFrom('dtype', 'shape', 'data_offsets', 'extra'),
        value,
      }),
      fc.record({
        kind: fc.constant('rename' as const),
        tensor: fc.constantFrom(...names),
        name: fc.oneof(
          fc.constantFrom(
            'model.layers.999999999.self_attn.q_proj.weight',
            `model.layers.${'9'.repeat(400)}.mlp.up_proj.weight`,
            '__proto__',
            'constructor',
            '',
            'model.layers.-1.x.weight',
          ),
          fc.string({ maxLength: 30 }),
          fc.nat().map((n) => `model.layers.${n}.self_attn.k_proj.weight`),
        ),
      }),
      fc.record({ kind: fc.constant('metadata' as const), value }),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const json: Record<string, unknown> = structuredClone(validJson);
        for (const e of edits) {
          const entry = 'tensor' in e ? (json[e.tensor] as Record<string, unknown> | undefined) : undefined;
          if (e.kind === 'field') {
            if (entry) entry[e.field] = e.value;
          } else if (e.kind === 'rename' && json[e.tensor]) {
            Object.defineProperty(json, e.name, {
              value: json[e.tensor],
              enumerable: true,
              configurable: true,
              writable: true,
            });
            if (e.name !== e.tensor) delete json[e.tensor];
          } else if (e.kind === 'metadata') json.__metadata__ = e.value;
        }
        if (check(withLength(JSON.stringify(json)), 2 ** 40)) accepted++;
        else refused++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(accepted + refused).toBe(RUNS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    record('safetensors header (JSON)', accepted, refused);
  });
});
