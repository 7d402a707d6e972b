// Measures BATCH_RUNS for some families and merges them into their fixtures, leaving the recorded model
// buffer and the other runs as they are (a host with AMX repacks weights into another buffer, so a full
// re-record there would change `modelMib`): `node validation/llama-cpp/run.mjs validation/llama-cpp/append-runs.ts llama qwen3`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_RUNS, FAMILIES } from './families.js';
import type { LlamaCppFixture } from './fixture.js';
import { measureFamily } from './fixture.js';
import { type HarnessRun, hostHasAmx } from './runtime.js';

const root = process.cwd();
const outDir = join(root, 'packages/core/src/serving/__fixtures__/llama-cpp');
const same = (a: HarnessRun, b: HarnessRun): boolean => JSON.stringify(a) === JSON.stringify(b);
for (const id of process.argv.slice(3)) {
  const f = FAMILIES.find((x) => x.id === id);
  if (!f) throw new Error(`unknown family ${id}`);
  const config = JSON.parse(
    readFileSync(join(root, 'packages/models/catalogue/configs', `${f.config}.json`), 'utf8'),
  ) as Record<string, unknown>;
  const file = join(outDir, `${f.id}.json`);
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as LlamaCppFixture;
  // On an AMX host this runtime aborts reserving deepseek2's graph with flash attention (see llama-cpp.live.test.ts).
  const amxAbort = id === 'deepseek2' && hostHasAmx();
  const grid = amxAbort ? BATCH_RUNS.filter((r) => r.flashAttn === 'off') : BATCH_RUNS;
  if (amxAbort) console.warn('deepseek2 with flash attention aborts on AMX hosts; measuring -fa off only');
  const measured = await measureFamily(f, config, grid);
  if (measured.runtime.llamaCpp !== fixture.runtime.llamaCpp)
    throw new Error(`${id}: fixture from ${fixture.runtime.llamaCpp}, runtime is ${measured.runtime.llamaCpp}`);
  if (JSON.stringify(measured.tensors) !== JSON.stringify(fixture.tensors))
    throw new Error(`${id}: the written model differs from the fixture's`);
  const runs = fixture.runs.filter((r) => !measured.runs.some((m) => same(m.run, r.run)));
  fixture.runs = [...runs, ...measured.runs];
  writeFileSync(file, `${JSON.stringify(fixture, null, 1)}\n`);
  console.log(`${id}: ${measured.runs.length} runs merged`);
}
