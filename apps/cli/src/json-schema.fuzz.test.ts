import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_SCHEMA_NAMES } from './commands/schema.js';
import { offlineCli } from './offline-cli.test-helper.js';

// The published JSON Schemas against real output (issue #15): `vramkit schema <name>` for every name,
// compiled by a real draft 2020-12 validator (Ajv), and random valid command lines of the command it
// describes, run in-process and offline; each --json output must validate against its schema.
// Fixed seed and run count in CI; VRAMKIT_FUZZ_RUNS / VRAMKIT_FUZZ_SEED for long runs.
const RUNS = Number(process.env.VRAMKIT_FUZZ_RUNS ?? 40);
const SEED = Number(process.env.VRAMKIT_FUZZ_SEED ?? 15);

const work = mkdtempSync(join(tmpdir(), 'vramkit-schema-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = offlineCli(work);

const validators: Record<string, ValidateFunction> = {};
beforeAll(async () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  for (const name of OUTPUT_SCHEMA_NAMES) {
    const r = await cli(['schema', name]);
    expect(r.code, r.err).toBe(0);
    validators[name] = ajv.compile(JSON.parse(r.out) as object);
  }
});

const models = fc.constantFrom(
  'meta-llama/Llama-3.2-1B-Instruct',
  'Qwen/Qwen3-30B-A3B',
  'google/gemma-2-2b',
  'openai/gpt-oss-20b',
  'mistralai/Mistral-7B-v0.1',
  'Qwen/Qwen3-Next-80B-A3B-Thinking',
  'deepseek-ai/DeepSeek-V2-Lite',
);
const gpu = fc.oneof(
  fc.constantFrom('rtx-4090', 'h100-80gb', 'a100-80gb', 'rtx-3060-12gb').map((id) => ['--gpu', id]),
  fc.integer({ min: 2, max: 160 }).map((g) => ['--gpu-memory', `${g}GiB`]),
);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const flags = (pairs: (readonly string[] | undefined)[]) => pairs.flatMap((p) => (p ? [...p] : []));

/** Random valid command lines per schema name. */
const commandLines: Record<(typeof OUTPUT_SCHEMA_NAMES)[number], fc.Arbitrary<string[]>> = {
  estimate: fc
    .tuple(
      models,
      opt(fc.integer({ min: 1, max: 65_536 }).map((c) => ['--context', String(c)])),
      opt(fc.integer({ min: 1, max: 16 }).map((b) => ['--batch', String(b)])),
      opt(fc.constantFrom('bf16', 'f16', 'Q4_K_M', 'Q8_0', 'bnb-nf4', 'fp8').map((q) => ['--quant', q])),
      opt(fc.constantFrom('f16', 'q8_0', 'q4_0', 'fp8').map((k) => ['--kv-dtype', k])),
    )
    .map(([m, ...rest]) => ['estimate', m, ...flags(rest), '--json']),
  'estimate-serve': fc
    .tuple(
      models,
      fc.constantFrom('llama.cpp', 'vllm', 'transformers'),
      gpu,
      opt(fc.integer({ min: 256, max: 32_768 }).map((c) => ['--context', String(c)])),
    )
    .map(([m, engine, g, ctx]) => [
      'estimate',
      m,
      '--engine',
      engine,
      ...g,
      ...flags([ctx]),
      ...(engine === 'llama.cpp' ? ['--quant', 'Q4_K_M'] : []),
      '--json',
    ]),
  'estimate-train': fc
    .tuple(
      models,
      fc.constantFrom('full', 'lora', 'qlora'),
      opt(fc.integer({ min: 16, max: 8192 }).map((s) => ['--seq', String(s)])),
      opt(fc.integer({ min: 1, max: 8 }).map((b) => ['--micro-batch', String(b)])),
      opt(fc.constantFrom('0', '2', '3').map((z) => ['--zero', z, '--gpus', '8'])),
      opt(fc.constantFrom('full', 'none').map((c) => ['--checkpointing', c])),
      opt(gpu),
    )
    .map(([m, method, ...rest]) => ['estimate', m, '--mode', 'train', '--method', method, ...flags(rest), '--json']),
  fit: fc
    .tuple(models, fc.constantFrom('llama.cpp', 'vllm', 'transformers'), gpu)
    .map(([m, engine, g]) => ['fit', m, '--engine', engine, ...g, '--json']),
  compare: fc
    .tuple(models, gpu, gpu, opt(fc.constantFrom('llama.cpp', 'vllm', 'transformers', 'llama.cpp,vllm')))
    .map(([m, a, b, engine]) => ['compare', m, ...a, ...b, ...(engine ? ['--engine', engine] : []), '--json']),
  inspect: fc
    .tuple(models, fc.boolean(), opt(fc.constantFrom('Q4_K_M', 'bf16', 'gptq-4bit-128g')))
    .map(([m, tensors, q]) => [
      'inspect',
      m,
      ...(tensors ? ['--tensors'] : []),
      ...(q ? ['--quant', q] : []),
      '--json',
    ]),
};

describe(`published JSON Schemas against real CLI output (${RUNS} command lines each, seed ${SEED})`, () => {
  it('names a schema for every --json document the tests below produce', () => {
    expect(Object.keys(commandLines).sort()).toEqual([...OUTPUT_SCHEMA_NAMES].sort());
  });

  it.each(OUTPUT_SCHEMA_NAMES)(
    'vramkit schema %s validates the output of random valid command lines',
    {
      timeout: Math.max(60_000, RUNS * 1_000),
    },
    async (name) => {
      let valid = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(commandLines[name], async (argv) => {
          const r = await cli(argv);
          const doc = JSON.parse(r.out) as { error?: { code: string } };
          if (doc.error) {
            // A valid line the model itself refuses (e.g. QLoRA on a GGUF-only format) is a typed error,
            // not output; it must not be a crash.
            expect(doc.error.code, `${argv.join(' ')}: ${r.out}`).not.toMatch(/UNEXPECTED|INTERNAL/);
            refused++;
            return;
          }
          const validate = validators[name]!;
          const ok = validate(doc);
          expect(ok, `${argv.join(' ')}\n${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`).toBe(true);
          valid++;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      // Most valid command lines produce output; a schema never exercised proves nothing.
      expect(valid, `${name}: ${valid} valid, ${refused} refused`).toBeGreaterThan(RUNS / 2);
      const file = process.env.VRAMKIT_FUZZ_REPORT;
      if (file)
        appendFileSync(
          file,
          `${JSON.stringify({ parser: `JSON Schema ${name}`, runs: RUNS, seed: SEED, accepted: valid, refused })}\n`,
        );
    },
  );

  // Found by the CLI fuzzer's long run: `schema constructor` resolved through the prototype chain and
  // crashed with an untyped "Cannot read properties of undefined".
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'vramkit schema %s is a usage error',
    async (name) => {
      const r = await cli(['schema', name]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/no schema/);
      expect(r.err).not.toMatch(/unexpected error/);
    },
  );

  it('a document that breaks the schema is rejected (the validator is live)', () => {
    expect(validators.estimate!({ schema: 'vramkit/estimate@1', total: 'many' })).toBe(false);
    expect(validators.fit!({})).toBe(false);
  });
});
