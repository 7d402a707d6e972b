// The runner both small-vocabulary scripts share (small-vocab.ts: MoE, MLA, hybrid; small-vocab-dense.ts:
// dense): each family measured again with its vocabulary cut, so that the CPU compute buffer peaks inside
// the layers instead of on the logits, written as a fixture for core's graph-builder tests.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { FAMILIES, type HarnessFamily } from './families.js';
import { measureFamily } from './fixture.js';
import type { HarnessRun } from './runtime.js';

export interface SmallVocabSet {
  /** Folder the fixtures go to, one `<id>.json` a family. */
  out: string;
  /** Fixture ids measured; the command line narrows them (`<family> …` after the script). */
  ids: readonly string[];
  vocabOf: (id: string) => number;
  runsOf: (id: string) => readonly HarnessRun[];
  /** Decoder layers written (every per-layer quantity is the family's); default the family's own. */
  layers?: number;
}

export async function measureSmallVocab(s: SmallVocabSet): Promise<void> {
  const only = process.argv.slice(3);
  mkdirSync(s.out, { recursive: true });
  for (const f of FAMILIES.filter((x) => s.ids.includes(x.id) && (only.length === 0 || only.includes(x.id)))) {
    const config = JSON.parse(readFileSync(`packages/models/catalogue/configs/${f.config}.json`, 'utf8')) as Record<
      string,
      unknown
    >;
    const text = config.text_config as Record<string, unknown> | undefined;
    const vocab = s.vocabOf(f.id);
    const small = text ? { ...config, text_config: { ...text, vocab_size: vocab } } : { ...config, vocab_size: vocab };
    const family: HarnessFamily = {
      ...f,
      ...(s.layers === undefined ? {} : { layers: s.layers }),
      note: `${f.note}; vocabulary cut to ${vocab}`,
    };
    const fixture = await measureFamily(family, small, s.runsOf(f.id));
    writeFileSync(`${s.out}/${f.id}.json`, `${JSON.stringify(fixture, null, 2)}\n`);
    for (const r of fixture.runs) console.log(f.id, JSON.stringify(r.run), r.computeMib ?? r.error);
  }
}
