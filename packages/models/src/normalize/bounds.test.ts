import { readFileSync } from 'node:fs';
import { INPUT_LIMITS } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { normalizeConfig } from './normalize-config.js';

// Issue #15: counts had no upper bound and per-layer arrays were built before validation, so a 1.8 KB
// config with num_hidden_layers 1e9 died of a V8 heap out-of-memory, 200k layers overflowed the call
// stack and 2^32 layers threw an untyped "Invalid array length".
const llama = JSON.parse(
  readFileSync(new URL('../../catalogue/configs/meta-llama__Meta-Llama-3.1-8B.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const fail = (config: Record<string, unknown>) => {
  try {
    normalizeConfig(config);
  } catch (e) {
    return e as Error & { code: string; path: string; issues: { path: string; message: string }[] };
  }
  throw new Error('normalizeConfig accepted the config');
};

describe('normalizeConfig bounds (issue #15)', () => {
  it.each([1e9, 200_000, 2 ** 32, INPUT_LIMITS.layers.max + 1])(
    'refuses num_hidden_layers %d with CONFIG_VALIDATION naming the field, before allocating',
    (n) => {
      const e = fail({ ...llama, num_hidden_layers: n });
      expect(e.code).toBe('CONFIG_VALIDATION');
      expect(e.path).toBe('config.num_hidden_layers');
      expect(e.message).toMatch(
        /num_hidden_layers: must be an integer from 1 to 10,000 \(about 80× the deepest published model/,
      );
    },
  );

  it('accepts the largest count the bound allows', () => {
    expect(normalizeConfig({ ...llama, num_hidden_layers: INPUT_LIMITS.layers.max }).architecture.layers).toHaveLength(
      10_000,
    );
  });

  it.each([
    ['hidden_size', 1e308],
    ['intermediate_size', 2 ** 21],
    ['vocab_size', 2 ** 25],
    ['num_attention_heads', 2 ** 17],
    ['max_position_embeddings', 2 ** 31],
  ])('refuses %s = %d naming the field', (field, value) => {
    const e = fail({ ...llama, [field]: value });
    expect(e.path).toBe(`config.${field}`);
    expect(e.message).toMatch(/must be an integer from/);
  });

  it('refuses a shape whose parameter count leaves the safe-integer range, naming the product and a field', () => {
    const e = fail({ ...llama, hidden_size: 1_000_000, intermediate_size: 1_000_000, num_hidden_layers: 9000 });
    expect(e.code).toBe('CONFIG_VALIDATION');
    expect(e.message).toMatch(
      /num_hidden_layers × hidden_size × intermediate_size gives about \d\.\d+e\+16 parameters, above the limit/,
    );
    expect(['config.num_hidden_layers', 'config.hidden_size', 'config.intermediate_size']).toContain(e.path);
  });

  it('refuses a per-layer array longer than the layer count or with huge entries', () => {
    const e = fail({ ...llama, num_hidden_layers: 2, num_attention_heads: [32, 2 ** 40] });
    expect(e.path).toBe('config.num_attention_heads');
  });

  it('quotes at most a short excerpt of a 1 MB model_type', () => {
    const e = fail({ ...llama, model_type: 'x'.repeat(1_000_000) });
    expect(e.path).toBe('config.model_type');
    expect(e.message.length).toBeLessThan(400);
    expect(e.message).toMatch(/1,000,000 characters/);
  });

  it('quotes at most a short excerpt of a huge non-number', () => {
    const e = fail({ ...llama, hidden_size: 'y'.repeat(1_000_000) });
    expect(e.message.length).toBeLessThan(400);
  });
});

describe('normalizeConfig checks the architecture as a whole (found by the long fuzz run)', () => {
  it('refuses num_local_experts 1 with num_experts_per_tok 4 (gpt-oss shape) naming the key, not an InvalidInputError on architecture.*', () => {
    const gptOss = JSON.parse(
      readFileSync(new URL('../../catalogue/configs/openai__gpt-oss-20b.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    const e = fail({ ...gptOss, num_local_experts: 1 });
    expect(e.code).toBe('CONFIG_VALIDATION');
    expect(e.path).toBe('config.num_experts_per_tok');
    expect(e.message).toMatch(/num_experts_per_tok: layer 0: topK must not exceed numExperts/);
  });
});
