// Measures a catalogue config with overrides, to find what a compute buffer depends on:
// `npm run build && node validation/llama-cpp/run.mjs validation/llama-cpp/variants.ts <config> '{"layers":2}' '{"vocab_size":8000}'`
// (each override is JSON: config keys, plus `layers` for the decoder layers written). Prints the CPU compute buffer.
import { readFileSync } from 'node:fs';
import { measureFamily } from './fixture.js';
import type { HarnessRun } from './runtime.js';

const [config, ...variants] = process.argv.slice(3);
if (!config) throw new Error('usage: run.mjs validation/llama-cpp/variants.ts <config> <json override>…');
const base = JSON.parse(readFileSync(`packages/models/catalogue/configs/${config}.json`, 'utf8')) as Record<
  string,
  unknown
>;
const run: HarnessRun = { nCtx: 4096, nSeqMax: 1, nUbatch: 512, flashAttn: 'on', typeK: 'f16', typeV: 'f16' };
for (const v of variants) {
  const { layers, ...over } = JSON.parse(v) as { layers?: number } & Record<string, unknown>;
  const f = await measureFamily({ id: 'variant', config, note: v, layers }, { ...base, ...over }, [run]);
  for (const r of f.runs) console.log(v, JSON.stringify(r.run), r.computeMib ?? r.error);
}
