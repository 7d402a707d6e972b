import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS_NOT_RECORDED,
  activationFixture,
  KNOWN_ACTIVATION_DIFFERENCES,
  lossPeakCases,
  type SavedRecord,
  savedActivationCases,
} from './activations.js';
import { catalogueIds } from './fixtures.js';

const f = activationFixture();
const saved = savedActivationCases(f);
const loss = lossPeakCases(f);
const rel = (c: { expected: number; actual: number }) => Math.abs(c.actual / c.expected - 1);

describe(`bytes saved for backward per layer against torch ${f.versions.torch} / transformers ${f.versions.transformers} / peft ${f.versions.peft} (batch ${f.batch})`, () => {
  it('has recorded every setting for every recorded config', () => {
    expect(Object.keys(f.models).length).toBeGreaterThanOrEqual(3);
    for (const [id, rows] of Object.entries(f.models)) {
      const keys = Object.keys(rows).filter((k) => k !== 'loss');
      expect(keys.length, id).toBeGreaterThanOrEqual(4);
    }
  });

  it('records every catalogue config, or lists it as not recorded yet', () => {
    expect(catalogueIds().filter((id) => !f.models[id])).toEqual([...ACTIVATIONS_NOT_RECORDED].sort());
  });

  it('compares every recorded setting: a row without bytes is only an attention transformers does not implement', () => {
    for (const [id, rows] of Object.entries(f.models)) {
      for (const [mode, l] of Object.entries(rows.loss ?? {})) expect(l.error, `${id} loss/${mode}`).toBeUndefined();
      for (const [k, r] of Object.entries(rows)) {
        if (k === 'loss') continue;
        const rec = r as SavedRecord;
        if (rec.error) expect(rec.error, `${id} ${k}`).toMatch(/does not support an attention implementation/);
        else expect(saved.filter((c) => c.config === id && c.key === k).length, `${id} ${k}`).toBeGreaterThan(0);
      }
    }
  });

  it.each(saved.filter((c) => !c.cause))('$id: within 3%', (c) => {
    expect(rel(c)).toBeLessThan(0.03);
  });

  it.each(saved.filter((c) => c.cause))('$id: outside 3% for a recorded cause', (c) => {
    // A known difference that disappears must leave the list.
    expect(rel(c)).toBeGreaterThanOrEqual(0.03);
  });

  it('differencing depths agrees with per-layer attribution (the recorder attributes every saved tensor)', () => {
    const rows = Object.entries(f.models).flatMap(([id, rows]) =>
      Object.entries(rows)
        .filter(([k]) => k !== 'loss')
        .map(([k, r]) => [`${id} ${k}`, r as SavedRecord] as const)
        .filter(([, r]) => r.totalNext !== undefined && r.total !== undefined && r.perLayer),
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const [id, r] of rows) {
      const byDepth = r.totalNext! - r.total!;
      // The added layer repeats the last one, except in hybrid stacks (Qwen3-Next adds a linear layer).
      const same = r.perLayer!.filter((b) => Math.abs(b / byDepth - 1) < 0.001);
      expect(same.length, id).toBeGreaterThan(0);
    }
  });
});

describe('logits and loss peak against the allocator peak of the head and transformers ForCausalLMLoss', () => {
  it('has recorded loss peaks', () => {
    expect(loss.length).toBeGreaterThanOrEqual(2);
  });

  it.each(loss.filter((c) => !c.cause))('$id: within 3%', (c) => {
    expect(rel(c)).toBeLessThan(0.03);
  });
});

describe('known differences', () => {
  it('name only recorded rows of recorded configs, each with its cause', () => {
    const ids = new Set([...saved.map((c) => `${c.config} ${c.key}`), ...loss.map((c) => c.id)]);
    for (const [k, cause] of Object.entries(KNOWN_ACTIVATION_DIFFERENCES)) {
      // Configs whose larger variants are not recorded yet keep their cause for when they are.
      if (!f.models[k.split(' ')[0]!]) continue;
      expect(ids.has(k.replace(/ layer\d+$/, '')), k).toBe(true);
      expect(cause.length).toBeGreaterThan(20);
    }
  });
});
