// Regenerates every llama.cpp fixture: `npm run build && node validation/llama-cpp/run.mjs [family…]`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, GRID } from './families.js';
import { runtimeVersion } from './runtime.js';
import { measureFamily } from './fixture.js';

const root = process.cwd();
const outDir = join(root, 'packages/core/src/serving/__fixtures__/llama-cpp');
mkdirSync(outDir, { recursive: true });
const only = process.argv.slice(3);
for (const f of FAMILIES) {
  if (only.length > 0 && !only.includes(f.id)) continue;
  const config = JSON.parse(
    readFileSync(join(root, 'packages/models/catalogue/configs', `${f.config}.json`), 'utf8'),
  ) as Record<string, unknown>;
  const started = Date.now();
  try {
    const fixture = await measureFamily(f, config, GRID);
    writeFileSync(join(outDir, `${f.id}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
    console.log(
      `${f.id}: ${fixture.runs.length} contexts in ${((Date.now() - started) / 1000).toFixed(1)} s (${runtimeVersion().llamaCpp})`,
    );
  } catch (e) {
    console.log(`${f.id}: not loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
}
