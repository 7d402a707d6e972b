import { describe, expect, it } from 'vitest';
import { KNOWN_ACTIVATION_DIFFERENCES, type SavedRecord, vramkitSavedPerLayer } from './activations.js';
import { catalogueModel, reducedOverrides, validationFixture } from './fixtures.js';

const f = validationFixture<{
  seq: number;
  batch: number;
  layers: number;
  models: Record<string, Record<string, SavedRecord>>;
}>('activations.json');

// The last layer is compared: the first one differs by what only it sees (the shared RoPE cos/sin
// tables are saved once, by it; with a frozen embedding its input needs no gradient) — README.md.
const cases = Object.entries(f.models).flatMap(([id, rows]) =>
  Object.entries(rows).flatMap(([key, r]) =>
    r.perLayer && !KNOWN_ACTIVATION_DIFFERENCES[`${id} ${key}`]
      ? [{ id, key, recorded: r.perLayer[r.perLayer.length - 1]! }]
      : [],
  ),
);

describe(`bytes saved for backward per layer against torch ${f.versions.torch} / transformers ${f.versions.transformers} (seq ${f.seq}, batch ${f.batch})`, () => {
  it('has recorded settings', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)('$id $key: within 3%', ({ id, key, recorded }) => {
    const model = catalogueModel(id, reducedOverrides(id, f.layers));
    const est = vramkitSavedPerLayer(model, key, f.seq, f.batch);
    expect(Math.abs(est / recorded - 1)).toBeLessThan(0.03);
  });
});
