import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exact from './__fixtures__/hub/params-exact.json' with { type: 'json' };
import { listCatalogue } from './catalogue/catalogue.js';
import { loadModel } from './load-model.js';
import { repoFromConfig } from './testing/fixture-repos.js';
import { type HubServer, startHubServer } from './testing/hub-server.js';

// Every config of the shared reference data (embedded in the catalogue with its source) served by
// the loopback Hub as config.json + model-info safetensors totals. Where params.json has an exact
// count, the recorded total is that count, so the config's synthesized count is checked against it.
const EXACT: Record<string, number> = {
  'meta-llama/Meta-Llama-3.1-8B': exact.records.find((r) => r.model === 'meta-llama/Llama-3.1-8B')!.params,
  'seed-003/qwen3-8b-mha': exact.records.find((r) => r.model.startsWith('seed-003'))!.params,
};

const entries = listCatalogue();
let server: HubServer;

beforeAll(async () => {
  server = await startHubServer(
    entries.map((e) =>
      repoFromConfig(e.id, e.config, { noSafetensors: true, ...(EXACT[e.id] ? { hubTotal: EXACT[e.id] } : {}) }),
    ),
  );
});
afterAll(() => server.close());

describe('loadModel (every recorded config over HTTP)', () => {
  it.each(entries.map((e) => [e.id]))(
    'loads %s in 2 requests under 16 KB, synthesized count equal to the Hub total',
    async (id) => {
      const spec = await loadModel(id, { endpoint: server.url, retries: 0, env: {} });
      expect(spec.source.requests).toBe(2);
      expect(spec.source.bytes).toBeLessThan(16 * 1024);
      expect(spec.parameters.agree).toBe(true);
      expect(spec.parameters.synthesized).toBe(spec.parameters.hubSafetensors);
      if (EXACT[id]) expect(spec.parameters.synthesized).toBe(EXACT[id]);
    },
  );

  it('matches params.json exactly for Llama-3.1-8B (8,030,261,248) and seed 003 (7,721,988,096)', () => {
    expect(EXACT).toEqual({ 'meta-llama/Meta-Llama-3.1-8B': 8_030_261_248, 'seed-003/qwen3-8b-mha': 7_721_988_096 });
  });
});
