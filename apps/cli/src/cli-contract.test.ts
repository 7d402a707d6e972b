import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import type { CommandName } from './flag-spec.js';
import { FLAGS, flagsOf } from './flag-table.js';
import { main } from './main.js';

const aqlm = new URL('../../../packages/quant-aqlm', import.meta.url).pathname;

async function run(argv: string[], cwd = tmpdir()) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { HOME: cwd, HF_HUB_OFFLINE: '1', VRAMKIT_CACHE_DIR: join(cwd, '.vramkit-cache') },
    cwd,
  });
  return { code, out, err };
}

const json = async (argv: string[], cwd?: string) => {
  const r = await run([...argv, '--json'], cwd);
  expect(r.err, r.out).toBe('');
  return { code: r.code, out: JSON.parse(r.out) };
};

describe('flags declared once', () => {
  it.each([
    // Unknown flags: did-you-mean from the command's own flags.
    [['estimate', 'Qwen/Qwen3-8B', '--contxt', '4096'], /Unknown option '--contxt'\. Did you mean --context\?/],
    [['fit', 'Qwen/Qwen3-8B', '--gpu', 'rtx-4090', '--n-gpu-layer', '20'], /Did you mean --n-gpu-layers/],
    // A flag of another command says where it belongs.
    [
      ['fit', 'Qwen/Qwen3-8B', '--gpu', 'rtx-4090', '--method', 'lora'],
      /--method does not apply to fit: it is a flag of estimate --mode train, plan/,
    ],
    [['compare', 'Qwen/Qwen3-8B', '--gpu', 'rtx-4090', '--emit', 'vllm'], /--emit does not apply to compare/],
    [['inspect', 'Qwen/Qwen3-8B', '--context', '4096'], /--context does not apply to inspect/],
    [['quant', 'list', '--revision', 'main'], /--revision does not apply to quant/],
    [['gpus', '--plugin', 'x'], /--plugin does not apply to gpus/],
    // A flag of another engine or mode.
    [
      ['estimate', 'Qwen/Qwen3-8B', '--engine', 'vllm', '--gpu', 'h100-80gb', '-ngl', '20'],
      /--n-gpu-layers does not apply to estimate --engine vllm: it applies to estimate --engine llama\.cpp/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--engine', 'llama.cpp', '--quant', 'Q4_K_M', '--kv-dtype', 'q8_0'],
      /--kv-dtype does not apply to estimate --engine llama\.cpp.*use --cache-type-k\/--cache-type-v/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--engine', 'llama.cpp', '--quant', 'Q4_K_M', '--max-model-len', '8192'],
      /--max-model-len does not apply to estimate --engine llama\.cpp: it applies to estimate --engine vllm/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--engine', 'vllm', '--gpu', 'h100-80gb', '--cuda-context', '1GiB'],
      /--cuda-context does not apply to estimate --engine vllm/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--gpu', 'rtx-4090'],
      /--gpu does not apply to estimate without --engine: it applies to estimate --engine llama\.cpp\|vllm\|transformers, estimate --mode train/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--ctx-size', '8192'],
      /--ctx-size does not apply to estimate without --engine.*use --context/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--mode', 'train', '--context', '4096'],
      /--context does not apply to estimate --mode train.*use --seq/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--mode', 'train', '--engine', 'vllm'],
      /--engine does not apply to estimate --mode train/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--mode', 'train', '--kv-dtype', 'q8_0'],
      /--kv-dtype does not apply to estimate --mode train/,
    ],
    [
      ['estimate', 'Qwen/Qwen3-8B', '--mode', 'train', '--gpu', 'h100-80gb', '--gpu', 'rtx-4090'],
      /training sizes one GPU type/,
    ],
    [['plan', 'Qwen/Qwen3-8B', '--gpu', 'h100-80gb', '--gpu-memory', '80GiB'], /training sizes one GPU type/],
    [
      ['fit', 'Qwen/Qwen3-8B', '--gpu', 'rtx-4090', '--engine', 'vllm', '--context', '8192'],
      /--context does not apply to fit --engine vllm: it applies to fit --engine llama\.cpp/,
    ],
    [
      ['fit', 'Qwen/Qwen3-8B', '--gpu', 'rtx-4090', '--engine', 'vllm', '-ngl', '10'],
      /--n-gpu-layers does not apply to fit --engine vllm/,
    ],
    [
      ['compare', 'Qwen/Qwen3-8B', '--gpu', 'h100-80gb', '--engine', 'llama.cpp', '--block-size', '32'],
      /--block-size does not apply to compare --engine llama\.cpp/,
    ],
    // Values checked by the declared type.
    [['estimate', 'Qwen/Qwen3-8B', '--mode', 'train', '--zero', '4'], /--zero must be a whole number from 0 to 3/],
  ])('rejects %j with a usage error naming the flag', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toBe('');
  });

  it('accepts the flags that do apply: --tp for vLLM and training, --attention inference and training, -ngl on compare with llama.cpp among the engines', async () => {
    expect(
      (await run(['estimate', 'Qwen/Qwen3-8B', '--engine', 'vllm', '--gpu', 'h100-80gb', '--tp', '2', '--json'])).code,
    ).toBe(0);
    expect(
      (
        await run([
          'estimate',
          'Qwen/Qwen3-8B',
          '--mode',
          'train',
          '--tp',
          '2',
          '--gpus',
          '2',
          '--attention',
          'naive',
          '--json',
        ])
      ).code,
    ).toBe(0);
    expect(
      (
        await run([
          'compare',
          'Qwen/Qwen3-8B',
          '--gpu',
          'rtx-4090',
          '--engine',
          'llama.cpp,vllm',
          '-ngl',
          '20',
          '--json',
        ])
      ).code,
    ).toBe(0);
  });

  it('passes the engine-neutral flags to the transformers engine instead of ignoring them (q8_0 KV is about half of f16)', async () => {
    const base = ['estimate', 'Qwen/Qwen3-8B', '--engine', 'transformers', '--gpu', 'h100-80gb', '--context', '32768'];
    const f16 = (await json(base)).out.bytes.kvCache;
    const q8 = (await json([...base, '--kv-dtype', 'q8_0'])).out.bytes.kvCache;
    expect(q8).toBe((f16 / 2) * (34 / 32));
  });

  it.each(commands.filter((c) => flagsOf(c.name as CommandName).length > 0).map((c) => c.name))(
    'lists every flag of %s in its --help, from the table',
    async (name) => {
      const r = await run([name, '--help']);
      expect(r.code).toBe(0);
      for (const f of flagsOf(name as CommandName)) expect(r.out, f.name).toContain(`--${f.name}`);
    },
  );

  it('derives the config file schema from the table: a bad value of a flag is refused by its flag type', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vramkit-'));
    writeFileSync(join(dir, 'vramkit.config.json'), JSON.stringify({ defaults: { kvDtype: 'q9' } }));
    const r = await run(['estimate', 'Qwen/Qwen3-8B'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/defaults\.kvDtype/);
    writeFileSync(join(dir, 'vramkit.config.json'), JSON.stringify({ defaults: { kvDtype: 'q8_0', context: 8192 } }));
    const ok = await json(['estimate', 'Qwen/Qwen3-8B'], dir);
    expect(ok.out.workload).toMatchObject({ kvDtype: 'q8_0', context: 8192 });
  });

  it('declares each flag once, with a help line, a known type and at least one command', () => {
    const names = FLAGS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const spellings = FLAGS.flatMap((f) => [f.name, ...(f.aliases ?? []), ...(f.short ? [`-${f.short}`] : [])]);
    expect(new Set(spellings).size).toBe(spellings.length);
    for (const f of FLAGS) {
      expect(f.help.length, f.name).toBeGreaterThan(3);
      expect(Object.keys(f.accepts).length, f.name).toBeGreaterThan(0);
      if (f.type === 'choice') expect(f.choices?.length, f.name).toBeGreaterThan(0);
    }
  });
});

describe('one format pipeline: every format command takes --plugin and the config file plugins', () => {
  const q = 'aqlm@codebooks=1,nbits=16';

  it('estimate', async () => {
    expect((await json(['estimate', 'meta-llama/Llama-3.1-8B', '--plugin', aqlm, '--quant', q])).out.format).toMatch(
      /^aqlm/,
    );
  });

  it('inspect', async () => {
    const out = (await json(['inspect', 'meta-llama/Llama-3.1-8B', '--plugin', aqlm, '--quant', q])).out;
    expect(out.format).toMatch(/^aqlm/);
    expect(out.tensors.find((t: { role: string }) => t.role === 'attn_q').type).toMatch(/aqlm/i);
  });

  it('fit', async () => {
    const out = (
      await json([
        'fit',
        'meta-llama/Llama-3.1-8B',
        '--plugin',
        aqlm,
        '--quant',
        q,
        '--gpu',
        'rtx-4090',
        '--engine',
        'transformers',
      ])
    ).out;
    expect(out.rows.map((r: { format: string }) => r.format)).toEqual([expect.stringMatching(/^aqlm/)]);
  });

  it('compare', async () => {
    const out = (
      await json([
        'compare',
        'meta-llama/Llama-3.1-8B',
        '--plugin',
        aqlm,
        '--quant',
        q,
        '--gpu',
        'h100-80gb',
        '--engine',
        'transformers',
      ])
    ).out;
    expect(out.results[0].format).toMatch(/^aqlm/);
  });

  it('plan: the frozen base of QLoRA in the plugin format (about 2 bits a weight, under NF4)', async () => {
    const base = ['plan', 'meta-llama/Llama-3.1-8B', '--methods', 'qlora', '--gpu', 'h100-80gb'];
    const nf4 = (await json(base)).out.setups[0].bytes.weights;
    const two = (await json([...base, '--plugin', aqlm, '--quant', q])).out.setups[0].bytes.weights;
    expect(two).toBeLessThan(nf4);
  });

  it('quant list, and the config file plugins for fit as for estimate', async () => {
    const listed = (await json(['quant', 'list', '--plugin', aqlm])).out;
    expect(listed.formats.some((f: { id: string }) => f.id.startsWith('aqlm'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'vramkit-'));
    writeFileSync(join(dir, 'vramkit.config.json'), JSON.stringify({ plugins: [aqlm] }));
    const fit = (
      await json(['fit', 'meta-llama/Llama-3.1-8B', '--quant', q, '--gpu', 'rtx-4090', '--engine', 'transformers'], dir)
    ).out;
    expect(fit.rows[0].format).toMatch(/^aqlm/);
  });

  it('keeps a parameterised id whole: gptq@bits=3,group=64 is one format, in compare and in a fit list', async () => {
    const cmp = (
      await json([
        'compare',
        'Qwen/Qwen3-8B',
        '--quant',
        'gptq@bits=3,group=64',
        '--gpu',
        'h100-80gb',
        '--engine',
        'vllm',
      ])
    ).out;
    expect(cmp.results[0].format).toBe('gptq-3bit-64g');
    const fit = (
      await json([
        'fit',
        'Qwen/Qwen3-8B',
        '--quant',
        'gptq@bits=3,group=64,awq',
        '--gpu',
        'h100-80gb',
        '--engine',
        'vllm',
      ])
    ).out;
    expect(fit.rows.map((r: { format: string }) => r.format)).toEqual(['gptq-3bit-64g', expect.stringMatching(/^awq/)]);
  });

  it('costs a checkpoint in its own quantization_config in fit and compare too (DeepSeek-V3: fp8 blocks)', async () => {
    const fit = (await json(['fit', 'deepseek-ai/DeepSeek-V3', '--gpu', 'h100-80gb', '--engine', 'vllm'])).out;
    expect(fit.rows.map((r: { format: string }) => r.format)).toEqual(['fp8-block']);
  });
});

describe('errors', () => {
  it('prints errors as JSON on stdout under --json, with the code, path and flag, and exits non-zero', async () => {
    const bad = await run(['estimate', 'Qwen/Qwen3-8B', '--bogus', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('');
    expect(JSON.parse(bad.out)).toEqual({
      error: { code: 'INVALID_INPUT', path: 'bogus', message: expect.stringMatching(/Unknown option '--bogus'/) },
    });
    const missing = await run(['estimate', 'Qwen/Qwen3-8b-typo', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.out).error).toMatchObject({
      code: 'OFFLINE',
      path: 'model',
      message: expect.stringMatching(/Did you mean/),
    });
    const command = await run(['frobnicate', '--json']);
    expect(command.code).toBe(2);
    expect(JSON.parse(command.out).error).toMatchObject({ code: 'INVALID_INPUT', path: 'command' });
    expect((await run(['estimat', 'Qwen/Qwen3-8B'])).err).toMatch(
      /unknown command "estimat"\. Did you mean "estimate"\?/,
    );
  });

  it('names the flag for a library error on a field path (llamaCpp.parallel → --parallel, training.lora.targets → --targets)', async () => {
    // llama.cpp pads -c to 256 cells per sequence, so a small -c is not an error; -np above 256 is.
    const cells = await run([
      'estimate',
      'Qwen/Qwen3-8B',
      '--engine',
      'llama.cpp',
      '--quant',
      'Q4_K_M',
      '-np',
      '300',
      '--json',
    ]);
    expect(cells.code).toBe(1);
    expect(JSON.parse(cells.out).error).toMatchObject({
      code: 'INVALID_INPUT',
      path: 'llamaCpp.parallel',
      flag: '--parallel',
    });
    expect(JSON.parse(cells.out).error.message).not.toMatch(/llamaCpp/);
    const targets = await run([
      'estimate',
      'Qwen/Qwen3-8B',
      '--mode',
      'train',
      '--method',
      'lora',
      '--targets',
      'foo_proj',
    ]);
    expect(targets.code).toBe(1);
    expect(targets.err).toMatch(/^vramkit: --targets: /);
    expect(targets.err).not.toMatch(/training\.lora/);
    const format = await run(['estimate', 'Qwen/Qwen3-8B', '--quant', 'q9_x', '--json']);
    expect(JSON.parse(format.out).error).toMatchObject({ code: 'NO_SUCH_FORMAT', path: 'format', flag: '--quant' });
    const gpu = await run(['fit', 'Qwen/Qwen3-8B', '--gpu', 'rtx-9090', '--json']);
    expect(JSON.parse(gpu.out).error).toMatchObject({ code: 'NO_SUCH_GPU', flag: '--gpu' });
  });

  it.each([
    [['estimate', 'Qwen/Qwen3-8B', 'extra']],
    [['estimate', 'Qwen/Qwen3-8B', 'extra', '--mode', 'train']],
    [['fit', 'Qwen/Qwen3-8B', 'extra', '--gpu', 'rtx-4090']],
    [['compare', 'Qwen/Qwen3-8B', 'extra', '--gpu', 'rtx-4090']],
    [['inspect', 'Qwen/Qwen3-8B', 'extra']],
    [['plan', 'Qwen/Qwen3-8B', 'extra', '--gpu', 'h100-80gb']],
    [['models', 'extra']],
    [['gpus', 'rtx-4090', 'extra']],
    [['quant', 'list', 'extra']],
    [['schema', 'estimate', 'extra']],
  ])('refuses a stray positional argument: %j', async (argv) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unexpected argument "extra"/);
    expect(r.out).toBe('');
  });

  it('filters the GPU catalogue by its argument, and refuses one that matches nothing with the closest ids', async () => {
    const some = (await json(['gpus', '4090'])).out.gpus.map((g: { id: string }) => g.id);
    expect(some).toContain('rtx-4090');
    expect(some.every((id: string) => id.includes('4090'))).toBe(true);
    const none = await run(['gpus', 'rtx-4909']);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/Unknown GPU "rtx-4909".*rtx-4090/);
    const j = await run(['gpus', 'nonexistent', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out).error).toEqual({
      code: 'NO_SUCH_GPU',
      path: 'filter',
      message: expect.stringMatching(/Unknown GPU "nonexistent"/),
    });
  });

  it.each([
    [['estimate', 'Qwen/Qwen3-8B', '--engine', 'vllm', '--gpu-memory', '24'], 'gpu-memory', '24'],
    [['fit', 'Qwen/Qwen3-8B', '--gpu-memory', '24'], 'gpu-memory', '24'],
    [['compare', 'Qwen/Qwen3-8B', '--gpu-memory', '80'], 'gpu-memory', '80'],
    [['plan', 'Qwen/Qwen3-8B', '--gpu-memory', '80'], 'gpu-memory', '80'],
    [['estimate', 'Qwen/Qwen3-8B', '--mode', 'train', '--gpu-memory', '80'], 'gpu-memory', '80'],
    [['estimate', 'Qwen/Qwen3-8B', '--cuda-context', '1.5'], 'cuda-context', '1.5'],
  ])('refuses a size without a unit, naming both spellings: %j', async (argv, flag, n) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--${flag} needs a unit: ${n}GiB or ${n}GB?`);
  });

  it('covers every size flag of the table with the unit rule', () => {
    expect(
      FLAGS.filter((f) => f.type === 'bytes')
        .map((f) => f.name)
        .sort(),
    ).toEqual(['cuda-context', 'fit-margin', 'gpu-memory']);
  });
});
