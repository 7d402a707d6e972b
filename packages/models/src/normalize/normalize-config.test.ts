import { readdirSync, readFileSync } from 'node:fs';
import { countParameters, kvCacheBytes, synthesizeTensors, VramkitError } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { knownModelTypes } from './families/index.js';
import { normalizeConfig } from './normalize-config.js';

const configDir = new URL('../../catalogue/configs/', import.meta.url);
const load = (file: string) => JSON.parse(readFileSync(new URL(file, configDir), 'utf8')) as Record<string, unknown>;
const params = (file: string) => {
  const { architecture } = normalizeConfig(load(file));
  return countParameters(synthesizeTensors(architecture), architecture);
};

interface ParamRecord {
  model: string;
  params: number | null;
  params_exact: boolean;
  kind: string;
  params_embedding?: number;
  params_non_embedding?: number;
  stated_total?: string;
}
const records = JSON.parse(
  readFileSync(new URL('../__fixtures__/params.json', import.meta.url), 'utf8'),
) as ParamRecord[];
const fileFor: Record<string, string> = {
  'openai/gpt-oss-20b': 'openai__gpt-oss-20b.json',
  'meta-llama/Llama-3.1-8B': 'meta-llama__Meta-Llama-3.1-8B.json',
};

describe('normalizeConfig', () => {
  it('reads every recorded config, transcribed and trimmed variants included', () => {
    const files = readdirSync(configDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(46);
    for (const f of files) {
      const n = normalizeConfig(load(f));
      expect(n.architecture.layers.length, f).toBeGreaterThan(0);
      expect(countParameters(synthesizeTensors(n.architecture)).total, f).toBeGreaterThan(1e8);
    }
  });

  it('counts 7,721,988,096 parameters for the seed-003 model, with its published breakdown', () => {
    const p = params('../../../fixtures/configs/seed-003__qwen3-8b-mha.json');
    expect(p.total).toBe(7_721_988_096);
    expect(p.parts.embedding).toBe(622_854_144);
    expect(p.parts.lmHead).toBe(622_854_144);
    expect(p.parts.finalNorm).toBe(4_096);
    // Per layer: attention 67,108,864 + q/k norms 256; MLP 135,266,304; two norms 8,192 (seed 003).
    expect(p.parts.attention / 32).toBe(67_108_864 + 256);
    expect(p.parts.mlp / 32).toBe(135_266_304);
    expect(p.parts.norms / 32).toBe(8_192);
    expect(p.perLayer[0]).toBe(67_108_864 + 256 + 135_266_304 + 8_192);
  });

  it.each(records.filter((r) => r.params_exact && r.params !== null && fileFor[r.model]))(
    'equals the safetensors header count of $model',
    (r) => {
      expect(params(fileFor[r.model]!).total).toBe(r.params);
    },
  );

  it('counts gpt-oss-20b as the Hub does: 20,914,757,184 with MXFP4 experts as 2 params per byte', () => {
    const p = params('openai__gpt-oss-20b.json');
    expect(p.total).toBe(20_914_757_184);
    // huggingface.js: {BF16: 1,804,459,584, U8: 19,110,297,600} where U8 counts the packed expert weights.
    const { architecture } = normalizeConfig(load('openai__gpt-oss-20b.json'));
    const expertWeights = synthesizeTensors(architecture)
      .filter((t) => t.role.endsWith('_exps') && t.kind === 'weight')
      .reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(expertWeights).toBe(19_110_297_600);
    expect(p.total - expertWeights).toBe(1_804_459_584);
  });

  const gemma: Record<string, string> = {
    'google/gemma-2b': 'google__gemma-2b.json',
    'google/gemma-7b': 'google__gemma-7b.json',
    'google/gemma-2-2b': 'google__gemma-2-2b.json',
    'google/gemma-2-9b': 'google__gemma-2-9b.json',
    'google/gemma-2-27b': 'google__gemma-2-27b.json',
  };
  it.each(records.filter((r) => gemma[r.model]))(
    'matches the Gemma paper for $model: non-embedding exact, embedding at 256,128 rows',
    (r) => {
      const { architecture } = normalizeConfig(load(gemma[r.model]!));
      const p = countParameters(synthesizeTensors(architecture), architecture);
      expect(p.total - p.parts.embedding).toBe(r.params_non_embedding);
      // The paper's vocabulary has 256,128 rows; the HF config says 256,000.
      expect(256_128 * architecture.hiddenSize).toBe(r.params_embedding);
    },
  );

  it.each([
    // The card's two decimals truncate: 1,235,814,400 is printed "1.23B".
    ['meta-llama__Llama-3.2-1B-Instruct.json', 1.23e9, 0.01e9],
    ['meta-llama__Llama-3.2-3B-Instruct.json', 3.21e9, 0.01e9],
    ['openai__gpt-oss-120b.json', 117e9, 0.5e9],
    ['deepseek-ai__DeepSeek-V2-Lite.json', 16e9, 0.5e9],
  ] as const)('agrees with the rounded model-card figure for %s', (file, stated, halfUnit) => {
    expect(Math.abs(params(file).total - stated)).toBeLessThanOrEqual(halfUnit);
  });

  it('separates DeepSeek-V3 main model (671B) from the checkpoint with its MTP layer (685B)', () => {
    const p = params('deepseek-ai__DeepSeek-V3.json');
    expect(Math.round(p.total / 1e9)).toBe(671);
    expect(Math.round(p.checkpointTotal / 1e9)).toBe(684);
    expect(p.checkpointTotal).toBeLessThan(685.5e9);
    // README: 37B activated per token.
    expect(Math.round(p.active / 1e9)).toBeGreaterThanOrEqual(36);
    expect(Math.round(p.active / 1e9)).toBeLessThanOrEqual(38);
  });

  it('reads head_dim from the config (Gemma 256, Qwen3 128) rather than hidden / heads', () => {
    const g = normalizeConfig(load('google__gemma-7b.json')).architecture.layers[0]!.attention;
    expect(g.kind === 'full' && g.headDim).toBe(256);
    const q = normalizeConfig(load('Qwen__Qwen3-4B.json')).architecture.layers[0]!.attention;
    expect(q.kind === 'full' && q.headDim).toBe(128);
  });

  it('marks Gemma 3 layers 5, 11, … global and the rest sliding at 512 tokens', () => {
    const layers = normalizeConfig(load('google__gemma-3-1b-it.json')).architecture.layers;
    const kinds = layers.map((l) => l.attention.kind);
    expect(kinds.filter((k) => k === 'full').length).toBe(4);
    expect(kinds[5]).toBe('full');
    expect(kinds[0]).toBe('sliding');
    const a = layers[0]!.attention;
    expect(a.kind === 'sliding' && a.window).toBe(512);
  });

  it('follows gpt-oss layer_types and Qwen3-Next full_attention_interval', () => {
    const oss = normalizeConfig(load('openai__gpt-oss-20b.json')).architecture.layers;
    expect(oss.filter((l) => l.attention.kind === 'sliding').length).toBe(12);
    const next = normalizeConfig(load('Qwen__Qwen3-Next-80B-A3B-Thinking.json')).architecture.layers;
    expect(next.filter((l) => l.attention.kind === 'linear').length).toBe(36);
    expect(next[3]!.attention.kind).toBe('full');
  });

  it('keeps DeepSeek-V3 dense for its first 3 layers and counts one MTP layer', () => {
    const a = normalizeConfig(load('deepseek-ai__DeepSeek-V3.json')).architecture;
    expect(a.layers.slice(0, 3).every((l) => l.mlp.kind === 'dense')).toBe(true);
    expect(a.layers.slice(3).every((l) => l.mlp.kind === 'moe')).toBe(true);
    expect(a.mtpLayers).toBe(1);
  });

  it('reads MLC transcriptions (sliding_window_size) the same as transformers keys', () => {
    const a = normalizeConfig(load('mistralai__Mistral-7B-v0.1.json')).architecture.layers[0]!.attention;
    expect(a.kind === 'sliding' && a.window).toBe(4096);
    const v03 = normalizeConfig(load('mistralai__Mistral-7B-Instruct-v0.3.json')).architecture.layers[0]!.attention;
    expect(v03.kind).toBe('full');
  });

  it('unwraps a multimodal text_config (Llama 4 Scout) and says so', () => {
    const n = normalizeConfig(load('meta-llama__Llama-4-Scout-17B-16E-Instruct.json'));
    expect(n.modelType).toBe('llama4_text');
    expect(n.warnings[0]).toMatch(/text_config/);
    expect(n.architecture.layers.filter((l) => l.attention.kind === 'chunked').length).toBe(36);
  });

  it('gives the real GQA cache for Llama 3.1 8B: 0.5 GiB at 4096 tokens in f16', () => {
    const { architecture } = normalizeConfig(load('meta-llama__Meta-Llama-3.1-8B.json'));
    expect(kvCacheBytes(architecture, { tokens: 4096, batch: 1 }).bytes).toBe(512 * 1024 ** 2);
  });

  it('returns the quantization_config block for format detection', () => {
    expect(normalizeConfig(load('deepseek-ai__DeepSeek-V3.json')).quantizationConfig?.quant_method).toBe('fp8');
  });
});

describe('normalizeConfig errors', () => {
  const base = load('meta-llama__Meta-Llama-3.1-8B.json');
  const errorOf = (config: unknown) => {
    try {
      normalizeConfig(config);
    } catch (e) {
      return e;
    }
    throw new Error('expected an error');
  };

  it('names every missing field at once', () => {
    const { hidden_size: _h, vocab_size: _v, ...rest } = base;
    const e = errorOf(rest) as VramkitError & { issues: { path: string }[] };
    expect(VramkitError.isInstance(e)).toBe(true);
    expect(e.code).toBe('CONFIG_VALIDATION');
    expect(e.issues.map((i) => i.path)).toEqual(['hidden_size', 'vocab_size']);
    expect(e.message).toMatch(/hidden_size: missing/);
  });

  it.each([
    ['a negative', -4096],
    ['NaN', Number.NaN],
    ['a string', '4096'],
    ['a fraction', 4096.5],
  ])('rejects %s hidden_size with the field path', (_what, value) => {
    const e = errorOf({ ...base, hidden_size: value }) as VramkitError;
    expect(e.code).toBe('CONFIG_VALIDATION');
    expect(e.path).toBe('config.hidden_size');
  });

  it('rejects KV heads that do not divide the query heads', () => {
    const e = errorOf({ ...base, num_key_value_heads: 5 }) as VramkitError;
    expect(e.message).toMatch(/do not divide/);
  });

  it.each(knownModelTypes())(
    'reads model_type "%s" with its own family: an empty config fails on fields, not as unsupported',
    (modelType) => {
      const e = errorOf({ model_type: modelType }) as VramkitError;
      expect(e.code).toBe('CONFIG_VALIDATION');
    },
  );

  it('rejects an unknown model_type and lists the known ones', () => {
    const e = errorOf({ ...base, model_type: 'frobnicator' }) as VramkitError & { known: string[] };
    expect(e.code).toBe('UNSUPPORTED_ARCHITECTURE');
    expect(e.known).toContain('llama');
  });

  it('maps an unknown model_type onto a generic decoder only when asked, with a warning', () => {
    const n = normalizeConfig({ ...base, model_type: 'frobnicator' }, { allowUnknown: true });
    expect(n.warnings.join()).toMatch(/generic/);
    expect(countParameters(synthesizeTensors(n.architecture)).total).toBe(8_030_261_248);
  });

  it('rejects a config that is not an object', () => {
    expect((errorOf([1, 2]) as VramkitError).code).toBe('CONFIG_VALIDATION');
    expect((errorOf('{}') as VramkitError).code).toBe('CONFIG_VALIDATION');
  });

  it('is not fooled by a __proto__ key', () => {
    const hostile = JSON.parse('{"__proto__": {"hidden_size": 1}, "model_type": "llama"}');
    const e = errorOf(hostile) as VramkitError & { issues: { path: string }[] };
    expect(e.issues.map((i) => i.path)).toContain('hidden_size');
    expect(({} as Record<string, unknown>).hidden_size).toBeUndefined();
  });
});
