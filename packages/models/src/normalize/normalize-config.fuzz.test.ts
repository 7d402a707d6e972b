import { appendFileSync } from 'node:fs';
import {
  countParameters,
  estimateInference,
  synthesizeTensors,
  validateArchitecture,
  VramkitError,
} from '@vramkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listCatalogue } from '../catalogue/catalogue.js';
import { normalizeConfig } from './normalize-config.js';

// Mutation fuzzer over config normalization (issue #15). CI runs a fixed seed and a few hundred inputs;
// VRAMKIT_FUZZ_RUNS=100000 (and VRAMKIT_FUZZ_SEED) runs long; VRAMKIT_FUZZ_REPORT=<file> records counts.
const RUNS = Number(process.env.VRAMKIT_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.VRAMKIT_FUZZ_SEED ?? 15);

/** Appends `{ parser, runs, seed, accepted, refused }` to VRAMKIT_FUZZ_REPORT, one JSON line per property. */
function record(parser: string, accepted: number, refused: number): void {
  const file = process.env.VRAMKIT_FUZZ_REPORT;
  if (file)
    appendFileSync(file, `${JSON.stringify({ parser, runs: accepted + refused, seed: SEED, accepted, refused })}\n`);
}

const configs = listCatalogue().map((e) => e.config);

/** Values a hostile or broken config puts where a count belongs. */
const hostileValue = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    2,
    3,
    7,
    2 ** 20,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    1e9,
    1e308,
    -1e308,
    0.5,
    1.5,
    Number.MAX_SAFE_INTEGER + 2,
    -0,
  ),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom('16', 'sixteen', '', '1e9', 'NaN', null, true, false, [], {}, [1, 2], { a: 1 }, '__proto__'),
  fc.array(fc.integer({ min: -2, max: 5000 }), { maxLength: 70 }),
  fc.string({ maxLength: 20 }),
);

// Keys: mostly the base config's own numeric keys (where a hostile value matters), sometimes any key
// of the catalogue or a random name.
const allKeys = [...new Set(configs.flatMap((c) => Object.keys(c)))];
const key = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((i) => ({ own: i })) },
  { weight: 1, arbitrary: fc.constantFrom(...allKeys) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const mutation = fc.record({
  base: fc.nat({ max: configs.length - 1 }),
  edits: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: hostileValue }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
    ),
    { minLength: 1, maxLength: 4 },
  ),
});

type Key = string | { own: number };
function apply(m: {
  base: number;
  edits: readonly ({ kind: 'set'; key: Key; value: unknown } | { kind: 'delete'; key: Key })[];
}): Record<string, unknown> {
  const c: Record<string, unknown> = structuredClone(configs[m.base]!);
  const own = Object.keys(c).filter((k) => typeof c[k] === 'number' || Array.isArray(c[k]));
  for (const raw of m.edits) {
    const e = {
      ...raw,
      key: typeof raw.key === 'string' ? raw.key : (own[raw.key.own % Math.max(1, own.length)] ?? 'hidden_size'),
    };
    if (e.kind === 'set')
      Object.defineProperty(c, e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
    else delete c[e.key];
  }
  return c;
}

const isBytes = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

describe(`normalizeConfig under mutation (${RUNS} inputs, seed ${SEED})`, () => {
  it('either refuses with a typed VramkitError or yields a valid architecture whose counts and bytes are finite integers', {
    timeout: Math.max(30_000, RUNS * 60),
  }, () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const config = apply(m);
        let arch: ReturnType<typeof normalizeConfig>['architecture'];
        try {
          arch = normalizeConfig(config, { allowUnknown: true }).architecture;
        } catch (e) {
          if (!VramkitError.isInstance(e)) throw e;
          expect(e.message.length).toBeLessThan(2000);
          refused++;
          return;
        }
        validateArchitecture(arch);
        const p = countParameters(synthesizeTensors(arch), arch);
        expect(isBytes(p.total) && isBytes(p.checkpointTotal)).toBe(true);
        try {
          const e = estimateInference({ model: arch, context: 4096, batch: 1 });
          for (const part of Object.values(e.parts)) expect(isBytes(part.bytes)).toBe(true);
          expect(isBytes(e.total)).toBe(true);
        } catch (e) {
          // An architecture may still be one an estimate refuses (a typed error), never a crash.
          if (!VramkitError.isInstance(e)) throw e;
        }
        accepted++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(accepted + refused).toBeGreaterThanOrEqual(RUNS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    record('normalizeConfig', accepted, refused);
  });
});
