import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import { main } from './main.js';
import { EstimateOutputSchema, InspectOutputSchema } from './output-schema.js';
import { VERSION } from './version.js';

const llamaConfig = new URL(
  '../../../packages/models/catalogue/configs/meta-llama__Meta-Llama-3.1-8B.json',
  import.meta.url,
);

async function run(argv: string[], env: Record<string, string> = {}, cwd = tmpdir()) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { HOME: cwd, HF_HUB_OFFLINE: '1', VRAMKIT_CACHE_DIR: join(cwd, '.vramkit-cache'), ...env },
    cwd,
  });
  return { code, out, err };
}

describe('vramkit estimate', () => {
  it('prints a breakdown in GiB and GB with one line per part and its formula', async () => {
    const r = await run(['estimate', 'Qwen/Qwen3-8B', '--quant', 'bf16', '--context', '32768']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^weights\s+15\.26\s+16\.38\s+Σ over/m);
    expect(r.out).toMatch(/^KV cache\s+4\.50\s+4\.83\s+36 layers × 32,768 tokens/m);
    expect(r.out).toMatch(/^activations /m);
    expect(r.out).toMatch(/^overhead /m);
    expect(r.out).toMatch(/^total /m);
    expect(r.out).not.toMatch(/\d G\b/);
  });

  it('reads a config.json path with --json output that matches the published schema', async () => {
    const r = await run([
      'estimate',
      llamaConfig.pathname,
      '--context',
      '8192',
      '--batch',
      '4',
      '--kv-dtype',
      'q8_0',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = EstimateOutputSchema.parse(JSON.parse(r.out));
    expect(out.parameters.total).toBe(8_030_261_248);
    expect(out.bytes.weights).toBe(8_030_261_248 * 2);
    // 32 layers × 8192 tokens × 4 sequences × (K + V) × 1024 values / 32 per block × 34 bytes.
    expect(out.bytes.kvCache).toBe(32 * 8192 * 4 * 2 * (1024 / 32) * 34);
    expect(out.bytes.total).toBe(out.bytes.weights + out.bytes.kvCache + out.bytes.activations + out.bytes.overhead);
  });

  it('reads a folder holding a config.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vramkit-'));
    writeFileSync(join(dir, 'config.json'), readFileSync(llamaConfig));
    const r = await run(['estimate', dir, '--json']);
    expect(JSON.parse(r.out).parameters.total).toBe(8_030_261_248);
    expect(JSON.parse(r.out).assumptions.join(' ')).toMatch(/context defaulted to 4096/);
  });

  it('shows the forced-MHA error next to the real GQA figure (Llama 3 8B, 4096 tokens: 2 GiB vs 0.5 GiB)', async () => {
    const real = JSON.parse((await run(['estimate', 'meta-llama/Llama-3.1-8B', '--json'])).out);
    const mha = JSON.parse((await run(['estimate', 'meta-llama/Llama-3.1-8B', '--force-mha', '--json'])).out);
    expect(real.bytes.kvCache).toBe(0.5 * 1024 ** 3);
    expect(mha.bytes.kvCache).toBe(2 * 1024 ** 3);
  });

  it.each([
    [['estimate', 'Qwen/Qwen3-8B', '--context=-5'], 2, /--context must be a whole number/],
    [['estimate', 'Qwen/Qwen3-8B', '--context', '-5'], 2, /--context/],
    [['estimate', 'Qwen/Qwen3-8B', '--context', 'lots'], 2, /--context/],
    [['estimate', 'Qwen/Qwen3-8B', '--kv-dtype', 'q9'], 2, /--kv-dtype must be one of/],
    [['estimate', 'Qwen/Qwen3-8B', '--bogus'], 2, /Unknown option '--bogus'/],
    [['estimate'], 2, /needs a model/],
    [['estimate', 'Qwen/Qwen3-8b-typo'], 1, /Did you mean "Qwen\/Qwen3-8B"/],
    [['estimate', 'Qwen/Qwen3-8B', '--quant', 'q9_x'], 1, /Unknown format "q9_x"/],
    [['estimate', './missing/config.json'], 1, /Cannot read/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
  ])('exits %# with a one-line message on bad input', async (argv, code, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toBe('');
  });

  it('reports a malformed config.json by field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vramkit-'));
    const cfg = JSON.parse(readFileSync(llamaConfig, 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, num_attention_heads: 'many' }));
    const r = await run(['estimate', join(dir, 'config.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/num_attention_heads: must be an integer/);
  });

  it('takes defaults from the CLI config file and rejects unknown keys in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vramkit-'));
    writeFileSync(join(dir, 'vramkit.config.json'), JSON.stringify({ defaults: { context: 1000 } }));
    const r = await run(['estimate', 'Qwen/Qwen3-8B', '--json'], {}, dir);
    expect(JSON.parse(r.out).workload.context).toBe(1000);
    writeFileSync(join(dir, 'vramkit.config.json'), JSON.stringify({ defaults: { contxt: 1000 } }));
    const bad = await run(['estimate', 'Qwen/Qwen3-8B'], {}, dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/defaults/);
  });
});

describe('vramkit estimate --quant', () => {
  it('puts the predicted Q4_K_M GGUF tensor bytes in bytes.weights (Llama 3.1 8B: 4.58 GiB, llama.cpp README)', async () => {
    const out = JSON.parse((await run(['estimate', 'meta-llama/Llama-3.1-8B', '--quant', 'Q4_K_M', '--json'])).out);
    expect(out.format).toBe('Q4_K_M');
    expect((out.bytes.weights / 1024 ** 3).toFixed(2)).toBe('4.58');
    expect(Object.keys(out.breakdown.weights.parts).sort()).toEqual(['F32', 'Q4_K', 'Q6_K']);
  });

  it('costs a checkpoint in its own quantization_config when no --quant is given (DeepSeek-V3: fp8 128×128 blocks)', async () => {
    const out = JSON.parse((await run(['estimate', 'deepseek-ai/DeepSeek-V3', '--json'])).out);
    expect(out.format).toBe('fp8-block');
    expect(out.assumptions[0]).toMatch(/quantization_config/);
    expect(out.bytes.weights).toBeLessThan(out.parameters.total * 1.02);
  });

  it('loads a format plugin with --plugin and uses its format', async () => {
    const plugin = new URL('../../../packages/quant-aqlm', import.meta.url).pathname;
    const out = JSON.parse(
      (
        await run([
          'estimate',
          'meta-llama/Llama-3.1-8B',
          '--plugin',
          plugin,
          '--quant',
          'aqlm@codebooks=1,nbits=16',
          '--json',
        ])
      ).out,
    );
    expect(out.format).toMatch(/aqlm/);
    // ~2 bits per linear weight; embeddings and lm_head stay 16-bit: about a quarter of bf16.
    expect(out.bytes.weights).toBeLessThan(8_030_261_248 * 2 * 0.3);
  });
});

describe('vramkit estimate --engine', () => {
  it('answers the vLLM question of the issue: weights per GPU under TP 2, KV budget, concurrency, max context', async () => {
    const r = await run([
      'estimate',
      'meta-llama/Llama-3.1-70B',
      '--engine',
      'vllm',
      '--gpu',
      'h100-80gb',
      '--tp',
      '2',
      '--gpu-memory-utilization',
      '0.9',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    // Each rank holds half of every matrix; the 161 norm vectors (1,318,912 values) are replicated.
    expect(out.bytes.weights).toBe(70_553_706_496 - 1_318_912 + 2 * 1_318_912);
    expect(out.engine.kvBudgetBytes).toBeGreaterThan(0);
    expect(out.engine.maxConcurrency).toBeGreaterThanOrEqual(1);
    expect(out.engine.maxContext).toBeGreaterThan(4096);
  });

  it("accepts llama.cpp's own short flags (-ngl, -ctk) and reports the layers on the GPU and host bytes", async () => {
    const r = await run([
      'estimate',
      'meta-llama/Llama-3.1-8B',
      '--quant',
      'Q4_K_M',
      '--engine',
      'llama.cpp',
      '--gpu',
      'rtx-3060-12gb',
      '-ngl',
      '20',
      '-ctk',
      'q8_0',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.engine.gpuLayers).toBe(20);
    expect(out.hostBytes).toBeGreaterThan(0);
  });
});

describe('vramkit estimate --mode train', () => {
  it('counts 39,976,960 trainable LoRA parameters for Llama-2-7B at r=16 on all seven projections, as peft prints', async () => {
    const r = await run([
      'estimate',
      'meta-llama/Llama-2-7b-hf',
      '--mode',
      'train',
      '--method',
      'lora',
      '--rank',
      '16',
      '--targets',
      'q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.parameters.trainable).toBe(39_976_960);
    for (const k of ['total', 'weights', 'gradients', 'optimizer', 'activations', 'overhead'])
      expect(Number.isInteger(out.bytes[k]), k).toBe(true);
    expect(out).toHaveProperty('hostBytes');
  });

  it('rejects a training flag without --mode train', async () => {
    const r = await run(['estimate', 'Qwen/Qwen3-8B', '--method', 'lora']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--method does not apply to estimate without --engine: it applies to estimate --mode train/);
  });
});

describe('vramkit inspect', () => {
  it('lists the llama.cpp type chosen for each tensor with --quant Q4_K_M', async () => {
    const out = JSON.parse((await run(['inspect', 'meta-llama/Llama-3.1-8B', '--quant', 'Q4_K_M', '--json'])).out);
    const types = new Map(out.tensors.map((t: { name: string; type: string }) => [t.name, t.type]));
    expect(types.get('lm_head.weight')).toBe('Q6_K');
    expect(types.get('model.layers.0.self_attn.q_proj.weight')).toBe('Q4_K');
    expect(types.get('model.norm.weight')).toBe('F32');
  });

  it('prints the exact parameter count with a breakdown', async () => {
    const r = await run(['inspect', 'meta-llama/Llama-3.1-8B']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^total\s+8,030,261,248\s+100\.00%/m);
    expect(r.out).toMatch(/8 KV heads \(GQA\)/);
  });

  it('lists tensors and their storage type with --quant, as JSON', async () => {
    const r = await run(['inspect', 'HuggingFaceTB/SmolLM2-135M', '--quant', 'fp8', '--json']);
    const out = InspectOutputSchema.parse(JSON.parse(r.out));
    expect(out.tensors?.find((t) => t.role === 'attn_q')?.type).toBe('fp8');
    expect(out.tensors?.find((t) => t.role === 'token_embd')?.type).toBe('bf16');
  });
});

describe('vramkit schema', () => {
  it('publishes the JSON Schema of the --json output with the stable field names', async () => {
    const r = await run(['schema', 'estimate']);
    const schema = JSON.parse(r.out);
    expect(Object.keys(schema.properties.bytes.properties)).toEqual([
      'total',
      'weights',
      'kvCache',
      'activations',
      'overhead',
    ]);
    expect(schema.properties.parameters.properties.total.type).toBe('integer');
  });
});

describe('vramkit --help', () => {
  it.each(commands.map((c) => c.name))('prints help for %s and exits 0', async (name) => {
    const r = await run([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: vramkit/);
  });

  it('keeps VERSION equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });
});
