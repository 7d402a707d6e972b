import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareModel, type PreparedModel } from '@vramkit/core';
import { normalizeConfig } from '@vramkit/models';

/** Repository root, from this file (apps/cli/src/train/ground-truth). */
const ROOT = new URL('../../../../../', import.meta.url);

/** Reads a JSON file below the repository root. */
export function readRepoJson<T>(path: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(path, ROOT)), 'utf8')) as T;
}

/** A validation fixture recorded from the real libraries (`validation/fixtures/<name>`). */
export function validationFixture<T>(name: string): T & { versions: Record<string, string> } {
  return readRepoJson(`validation/fixtures/${name}`);
}

/** Every catalogue config id (file stems of packages/models/catalogue/configs), sorted. */
export function catalogueIds(): string[] {
  return readdirSync(fileURLToPath(new URL('packages/models/catalogue/configs/', ROOT)))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

const prepared = new Map<string, PreparedModel>();

/**
 * The recorded config of `id`: the public catalogue's, or the fixtures package's for test-only models
 * (the seed-003 MHA model is a fixture, not a catalogue entry).
 */
function recordedConfig(id: string): Record<string, unknown> {
  const catalogue = `packages/models/catalogue/configs/${id}.json`;
  return readRepoJson(
    existsSync(fileURLToPath(new URL(catalogue, ROOT))) ? catalogue : `packages/fixtures/configs/${id}.json`,
  );
}

/**
 * The catalogue config `id` (file stem, e.g. `Qwen__Qwen3-8B`) through normalizeConfig and prepareModel.
 * @param overrides raw config fields replaced before normalizing (reduced-depth variants)
 */
export function catalogueModel(id: string, overrides: Record<string, unknown> = {}): PreparedModel {
  const key = `${id} ${JSON.stringify(overrides)}`;
  let m = prepared.get(key);
  if (!m) {
    const raw = recordedConfig(id);
    // Multimodal wrappers (Llama 4) keep the language model in `text_config`: the overrides go there.
    const text = textConfig(raw);
    const config = text === raw ? { ...raw, ...overrides } : { ...raw, text_config: { ...text, ...overrides } };
    m = prepareModel(normalizeConfig(config).architecture);
    prepared.set(key, m);
  }
  return m;
}

/** The language-model part of a raw config (`text_config` of a multimodal wrapper, as validation/common.py reads it). */
function textConfig(raw: Record<string, unknown>): Record<string, unknown> {
  const t = raw.text_config;
  return t !== null && typeof t === 'object' && !Array.isArray(t) ? (t as Record<string, unknown>) : raw;
}

/**
 * The raw-config overrides of a reduced-depth variant, as validation/activations.py builds it: `layers`
 * decoder layers (per-layer lists cut to match), for MoE the recorded expert count (`experts`; rows
 * recorded before it was written used `2 × top_k`, at least 4), and one dense layer first where the
 * model starts dense (DeepSeek's `first_k_dense_replace`).
 */
export function reducedOverrides(id: string, layers: number, experts?: number): Record<string, unknown> {
  const raw = textConfig(recordedConfig(id));
  const o: Record<string, unknown> = { num_hidden_layers: layers, use_cache: false };
  const topk = typeof raw.num_experts_per_tok === 'number' ? raw.num_experts_per_tok : 2;
  for (const k of ['num_experts', 'num_local_experts', 'n_routed_experts'])
    if (raw[k]) o[k] = experts ?? Math.max(2 * topk, 4);
  if (typeof raw.first_k_dense_replace === 'number' && raw.first_k_dense_replace > 0) o.first_k_dense_replace = 1;
  if (Array.isArray(raw.layer_types)) o.layer_types = raw.layer_types.slice(0, layers);
  if (Array.isArray(raw.mlp_only_layers)) o.mlp_only_layers = [];
  return o;
}
