import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Architecture } from '../model/architecture.js';
import { MIB } from '../memory/units.js';
import { typeFor } from '../../../../validation/llama-cpp/sparse-gguf.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { ggmlTensorBytes } from '../model/ggml-types.js';
import { prepareModel } from '../model/prepare-model.js';
import { COMPUTE_GAPS, llamaCppRunLabel, llamaCppRunOptions } from './__fixtures__/llama-cpp-compute-gaps.js';
import { asStored, fixtureModel, llamaCppFixtures } from './__fixtures__/llama-cpp-fixtures.js';
import { llamaCppArchitecture, llamaCppMemory } from './llama-cpp.js';
import { GRAPH_BUILDERS } from './ggml-alloc/registry.js';

const CATALOGUE = join(dirname(fileURLToPath(import.meta.url)), '../../../models/catalogue/configs');

/**
 * Catalogue families the harness does not load, with the reason. Empty when every family is covered;
 * an entry here must name what llama.cpp (or the harness) reported.
 */
const NOT_LOADED = new Map<string, string>([]);

// Buffers as llama.cpp prints them: MiB with two decimals (model, KV, output).
const mib2 = (bytes: number): string => (bytes / MIB).toFixed(2);

/** Whether the compute part came from ggml-alloc's simulated plan rather than the fitted phases. */
const simulated = (p: { source?: string } | undefined): boolean =>
  p?.source?.startsWith('ggml/src/ggml-alloc.c') === true;

/**
 * llama.cpp's own buffer sizes, recorded by the harness in validation/llama-cpp from the CPU build of
 * node-llama-cpp loading sparse GGUF files with each family's real shapes: KV and model buffers must
 * match to the printed precision, the CPU compute buffer within 5% — and, where a ggml-alloc graph builder
 * covers the architecture, to the printed 0.0001 MiB.
 */
describe.each(llamaCppFixtures())('llama.cpp $id ($ggufArchitecture, $runtime.llamaCpp)', (f) => {
  const model = fixtureModel(f);

  it('model buffer: the mapped file range', () => {
    const r = llamaCppMemory({ model, format: asStored, gpus: [], ctxSize: 4096 });
    expect(mib2(r.host.parts.weights!.bytes)).toBe(f.modelMib.CPU_Mapped);
  });

  for (const rec of f.runs) {
    const options = llamaCppRunOptions(model, rec.run);
    const label = llamaCppRunLabel(rec.run);
    if (rec.error) {
      it(`${label}: refused (${rec.error})`, () => {
        expect(() => llamaCppMemory(options)).toThrow(rec.error);
      });
      continue;
    }
    it(`${label}: cells, KV, output exact; compute within 5% (exact where simulated)`, () => {
      const r = llamaCppMemory(options);
      const kv = rec.kv!;
      expect(r.flashAttn).toBe(rec.flashAttn);
      expect(r.kvStreams).toBe(kv[0]!.seqs);
      expect(r.kvCells).toBe(kv[0]!.cells);
      if (kv[1]) expect(r.swaCells).toBe(kv[1].cells);
      else expect(r.swaCells).toBeUndefined();
      const kvBytes = r.host.parts.kvCache!.bytes;
      // KV caches plus, for a hybrid model, the recurrent state (llama_memory_recurrent).
      const expectedKv = kv.reduce((s, k) => s + Number(k.mib), 0) + Number(rec.rs?.mib ?? 0);
      // Exact to the printed precision: each cache is printed rounded to 0.01 MiB.
      expect(Math.abs(kvBytes / MIB - expectedKv)).toBeLessThanOrEqual(0.005 * (kv.length + (rec.rs ? 1 : 0)) + 1e-9);
      expect(mib2(r.host.parts.output!.bytes)).toBe(rec.outputMib!.CPU);
      const compute = r.host.parts.activations!.bytes / MIB;
      const measured = Number(rec.computeMib!.CPU);
      if (!COMPUTE_GAPS.has(`${f.id} ${label}`)) expect(Math.abs(compute / measured - 1)).toBeLessThanOrEqual(0.05);
      // llama.cpp prints the compute buffer to 0.0001 MiB (about 105 bytes).
      if (simulated(r.host.parts.activations)) expect(Math.abs(compute - measured)).toBeLessThanOrEqual(0.00005 + 1e-9);
    });
  }
});

describe('a model given as a config (synthesized inventory) gets the converter-added tensors', () => {
  // The harness writes each tensor in the type its rule gives; the same rule as a weight format.
  const harnessTypes: WeightFormat = {
    specVersion: 'v1',
    id: 'harness-types',
    description: 'the ggml type the harness writes each tensor in',
    bytesForTensor: (t) => ({ bytes: ggmlTensorBytes(typeFor(t), t.shape), type: typeFor(t) }),
  };
  for (const id of ['llama', 'llama-3.1-8b']) {
    it(`${id}: llama3 RoPE scaling adds rope_freqs.weight, so the model buffer is the file's to the byte`, () => {
      const f = llamaCppFixtures().find((x) => x.id === id)!;
      expect(f.tensors.some((t) => t.name === 'rope_freqs.weight')).toBe(true);
      const fromConfig = prepareModel(f.architecture);
      expect(fromConfig.source).toBe('config');
      const r = llamaCppMemory({ model: fromConfig, format: harnessTypes, gpus: [], ctxSize: 4096 });
      const file = f.tensors.reduce((s, t) => s + Math.ceil(ggmlTensorBytes(t.type, [...t.ne].reverse()) / 32) * 32, 0);
      expect(r.host.parts.weights!.bytes).toBe(file);
      expect(mib2(file)).toBe(f.modelMib.CPU_Mapped);
    });
  }
});

describe('catalogue coverage', () => {
  it('every catalogue family, mapped to its llama.cpp architecture as convert_hf_to_gguf.py does, has a fixture or a stated reason', () => {
    const covered = new Set(llamaCppFixtures().map((f) => f.ggufArchitecture));
    const missing: string[] = [];
    for (const file of readdirSync(CATALOGUE).filter((f) => f.endsWith('.json'))) {
      const config = JSON.parse(readFileSync(join(CATALOGUE, file), 'utf8')) as { model_type: string };
      const arch = llamaCppArchitecture({ family: config.model_type } as Architecture);
      if (!covered.has(arch) && !NOT_LOADED.has(arch)) missing.push(`${file}: ${config.model_type} → ${arch}`);
      if (covered.has(arch)) expect(NOT_LOADED.has(arch), `${arch} is covered; drop it from NOT_LOADED`).toBe(false);
    }
    expect(missing).toEqual([]);
  });
});

describe('CPU compute buffer simulated by ggml-alloc', () => {
  it('every recorded family has a graph builder and is simulated, not fitted', () => {
    const fitted: string[] = [];
    for (const f of llamaCppFixtures()) {
      if (!Object.hasOwn(GRAPH_BUILDERS, f.ggufArchitecture)) {
        fitted.push(`${f.id} (no builder for ${f.ggufArchitecture})`);
        continue;
      }
      const model = fixtureModel(f);
      const rec = f.runs.find((x) => !x.error)!;
      const r = llamaCppMemory(llamaCppRunOptions(model, rec.run));
      if (!simulated(r.host.parts.activations)) fitted.push(f.id);
    }
    expect(fitted).toEqual([]);
  });

  it('names the tensors live at the peak (llama at -ub 2048 without flash attention: the f32 scores)', () => {
    const f = llamaCppFixtures().find((x) => x.id === 'llama')!;
    const rec = f.runs.find((x) => x.run.nUbatch === 2048 && x.run.flashAttn === 'off')!;
    const r = llamaCppMemory(llamaCppRunOptions(fixtureModel(f), rec.run));
    const parts = r.host.parts.activations!.parts!;
    // kq of the first layer: n_kv 8192 × 2048 tokens × 32 heads × f32 = 2048 MiB (its softmax then runs in place).
    const scores = Object.entries(parts).filter(([name]) => /^kq-\d+$/.test(name));
    expect(scores.map(([, p]) => p.bytes)).toEqual([8192 * 2048 * 32 * 4]);
    expect(Object.values(parts).reduce((s, p) => s + p.bytes, 0)).toBe(r.host.parts.activations!.bytes);
  });
});

describe('CPU compute gaps', () => {
  it('every listed gap is still a gap (remove it from COMPUTE_GAPS once the model is within 5%)', () => {
    const open: string[] = [];
    for (const f of llamaCppFixtures()) {
      const model = fixtureModel(f);
      for (const rec of f.runs) {
        const key = `${f.id} ${llamaCppRunLabel(rec.run)}`;
        if (!COMPUTE_GAPS.has(key) || rec.error) continue;
        const r = llamaCppMemory(llamaCppRunOptions(model, rec.run));
        if (Math.abs(r.host.parts.activations!.bytes / MIB / Number(rec.computeMib!.CPU) - 1) > 0.05) open.push(key);
      }
    }
    expect(open.sort()).toEqual([...COMPUTE_GAPS.keys()].sort());
  });
});
