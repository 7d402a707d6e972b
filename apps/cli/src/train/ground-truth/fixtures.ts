import { readFileSync } from 'node:fs';
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

const prepared = new Map<string, PreparedModel>();

/**
 * The catalogue config `id` (file stem, e.g. `Qwen__Qwen3-8B`) through normalizeConfig and prepareModel.
 * @param overrides raw config fields replaced before normalizing (reduced-depth variants)
 */
export function catalogueModel(id: string, overrides: Record<string, unknown> = {}): PreparedModel {
  const key = `${id} ${JSON.stringify(overrides)}`;
  let m = prepared.get(key);
  if (!m) {
    const raw = readRepoJson<Record<string, unknown>>(`packages/models/catalogue/configs/${id}.json`);
    m = prepareModel(normalizeConfig({ ...raw, ...overrides }).architecture);
    prepared.set(key, m);
  }
  return m;
}
