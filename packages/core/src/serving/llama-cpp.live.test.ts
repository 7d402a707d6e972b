import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAMILIES, LIVE_FAMILIES, LIVE_GRID } from '../../../../validation/llama-cpp/families.js';
import { measureFamily } from '../../../../validation/llama-cpp/fixture.js';
import { HOST_ISA_BUFFERS, hostHasAmx, loadRuntime } from '../../../../validation/llama-cpp/runtime.js';
import { llamaCppFixtures } from './__fixtures__/llama-cpp-fixtures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

// The CPU binary node-llama-cpp ships; when it cannot load on this machine the test says so and skips.
let unavailable: string | undefined;
try {
  await loadRuntime();
} catch (e) {
  unavailable = e instanceof Error ? e.message : String(e);
}
if (unavailable)
  console.warn(`llama.cpp live check skipped: node-llama-cpp's CPU binary did not load (${unavailable})`);

/**
 * Re-runs a subset of the harness against the live runtime (small models, three contexts each) and
 * checks that llama.cpp still reports what the fixtures recorded: the fixtures are the runtime's, not ours.
 */
describe.skipIf(unavailable !== undefined)('llama.cpp live (node-llama-cpp CPU build)', () => {
  const recorded = new Map(llamaCppFixtures().map((f) => [f.id, f]));
  for (const id of LIVE_FAMILIES) {
    it(`${id}: the live runtime reports the recorded buffers`, { timeout: 240_000 }, async () => {
      const family = FAMILIES.find((f) => f.id === id)!;
      const config = JSON.parse(
        readFileSync(join(root, 'packages/models/catalogue/configs', `${family.config}.json`), 'utf8'),
      ) as Record<string, unknown>;
      // On an AMX host this runtime aborts (GGML_ASSERT in ggml_backend_sched_split_graph) reserving deepseek2's
      // flash-attention graph, taking the worker with it: only its runs without flash attention are re-run there.
      const amxAbort = id === 'deepseek2' && hostHasAmx();
      if (amxAbort)
        console.warn('llama.cpp live: deepseek2 with flash attention aborts on AMX hosts; re-running -fa off only');
      const grid = amxAbort ? LIVE_GRID.filter((r) => r.flashAttn === 'off') : LIVE_GRID;
      const live = await measureFamily(family, config, grid);
      const fixture = recorded.get(id)!;
      expect(live.runtime).toEqual(fixture.runtime);
      // Weights repacked into the CPU's extra buffer types (AMX) leave or shadow the mapped range by host:
      // the model buffers are compared only where the host has none; KV, compute and output always.
      const extra = Object.keys(live.modelMib).filter((k) => HOST_ISA_BUFFERS.has(k));
      if (extra.length === 0) expect(live.modelMib).toEqual(fixture.modelMib);
      else console.warn(`llama.cpp live ${id}: model buffers not compared (this host adds ${extra.join(', ')})`);
      for (const rec of live.runs) {
        const want = fixture.runs.find((r) => JSON.stringify(r.run) === JSON.stringify(rec.run));
        expect(want, `fixture ${id} has no run ${JSON.stringify(rec.run)}`).toBeDefined();
        expect({ ...rec, computeMib: undefined }).toEqual({ ...want, computeMib: undefined });
        // The compute buffer depends on the CPU variant's graph only: the same build gives the same plan.
        if (want!.computeMib) expect(rec.computeMib).toEqual(want!.computeMib);
      }
    });
  }
});
