import { describe, expect, it } from 'vitest';
import { catalogueModel, validationFixture } from './fixtures.js';

interface Recorded {
  total: number;
  perLayer: number[];
  /** Persistent buffers (in state_dict, so in the checkpoint, but not parameters): DeepSeek's e_score_correction_bias. */
  checkpointBuffers: number;
  perLayerCheckpointBuffers: number[];
  outsideLayers: Record<string, number>;
}
const fixture = validationFixture<{ models: Record<string, Recorded>; failures: Record<string, string> }>(
  'parameters.json',
);

// Ground truth: transformers builds every catalogue config on the meta device (validation/parameters.py).
describe(`parameters against transformers ${fixture.versions.transformers}`, () => {
  it('covers every catalogue config', () => {
    expect(Object.keys(fixture.failures)).toEqual([]);
    expect(Object.keys(fixture.models).length).toBeGreaterThanOrEqual(40);
  });

  it.each(Object.entries(fixture.models))(
    '%s: total, every layer and every parameter outside the layers exact',
    (id, rec) => {
      const m = catalogueModel(id);
      // vramkit counts checkpoint tensors, so persistent buffers (the router's correction bias) are in.
      expect(m.parameters.total).toBe(rec.total + rec.checkpointBuffers);
      expect(m.parameters.perLayer).toEqual(rec.perLayer.map((n, i) => n + (rec.perLayerCheckpointBuffers[i] ?? 0)));
      const outside = m.tensors
        .filter((t) => t.layer === undefined && !t.mtp)
        .reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
      expect(outside).toBe(Object.values(rec.outsideLayers).reduce((a, b) => a + b, 0));
    },
  );
});
