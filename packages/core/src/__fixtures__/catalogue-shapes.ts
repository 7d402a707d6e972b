import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Architecture } from '../model/architecture.js';
import { decoder } from './decoder.js';

// Random valid architectures derived from the catalogue, for the invariant tests (issue #15). Each
// recorded dense or MoE decoder config (llama-style keys) seeds the generator; shapes are then scaled
// down by powers of two so a run stays fast, keeping each family's proportions (GQA ratio, head dim,
// MLP ratio, experts).

/** The hyper-parameters read from one catalogue config. */
export interface CatalogueSeed {
  id: string;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  vocab: number;
  experts?: { count: number; topK: number; ffn: number };
}

const dir = new URL('../../../models/catalogue/configs/', import.meta.url);

/** Every llama-style catalogue config whose heads divide into its KV heads (MLA configs left out). */
export const catalogueSeeds: CatalogueSeed[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => {
    const raw = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, unknown>;
    const c = (raw.text_config as Record<string, unknown> | undefined) ?? raw;
    const n = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : undefined);
    const hidden = n('hidden_size');
    const heads = n('num_attention_heads');
    const ffn = n('intermediate_size');
    const vocab = n('vocab_size');
    if (!hidden || !heads || !ffn || !vocab || n('kv_lora_rank')) return [];
    const kvHeads = n('num_key_value_heads') ?? heads;
    const count = n('num_local_experts') ?? n('num_experts') ?? n('n_routed_experts');
    const topK = n('num_experts_per_tok');
    const seed: CatalogueSeed = {
      id: f,
      hidden,
      heads,
      kvHeads,
      headDim: n('head_dim') ?? Math.floor(hidden / heads),
      ffn,
      vocab,
    };
    if (count && topK) seed.experts = { count, topK, ffn: n('moe_intermediate_size') ?? ffn };
    return heads % kvHeads === 0 ? [seed] : [];
  });

/**
 * A catalogue shape scaled down by 2^shrink (proportions kept), with a random layer count.
 * @param o.maxLayers most layers (default 6); o.shrink the range of the power of two (default 2…5);
 *   o.maxPositions an arbitrary of the model's position limit (default none stated)
 */
export function arbCatalogueArch(
  o: { maxLayers?: number; shrink?: [number, number]; maxPositions?: fc.Arbitrary<number | undefined> } = {},
): fc.Arbitrary<{ arch: Architecture; id: string }> {
  const [lo, hi] = o.shrink ?? [2, 5];
  return fc
    .record({
      seed: fc.constantFrom(...catalogueSeeds),
      shrink: fc.integer({ min: lo, max: hi }),
      layers: fc.integer({ min: 1, max: o.maxLayers ?? 6 }),
      tied: fc.boolean(),
      maxPositions: o.maxPositions ?? fc.constant(undefined),
    })
    .map(({ seed, shrink, layers, tied, maxPositions }) => {
      const s = 2 ** shrink;
      const heads = Math.max(seed.kvHeads, Math.ceil(seed.heads / s / seed.kvHeads) * seed.kvHeads);
      const arch = decoder({
        family: 'llama',
        vocab: Math.max(256, Math.floor(seed.vocab / s / 64) * 64),
        hidden: Math.max(64, Math.floor(seed.hidden / s / 32) * 32),
        layers,
        heads,
        kvHeads: seed.kvHeads,
        headDim: seed.headDim,
        ffn: Math.max(64, Math.floor(seed.ffn / s / 32) * 32),
        tied,
        ...(maxPositions ? { maxPositions } : {}),
        ...(seed.experts
          ? {
              moe: { experts: Math.max(seed.experts.topK, Math.ceil(seed.experts.count / s)), topK: seed.experts.topK },
            }
          : {}),
      });
      return { arch, id: seed.id };
    });
}
