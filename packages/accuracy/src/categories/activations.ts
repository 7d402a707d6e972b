import { inferenceActivationBytes, MIB } from '@vramkit/core';
import { NAIVE_ATTENTION_PEAKS } from '@vramkit/fixtures';
import { singleHeadAttention } from '../../../core/src/__fixtures__/architectures.js';
import * as groundTruth from '../../../../apps/cli/src/train/ground-truth/activations.js';
import type { AccuracyCase, AccuracyCategory } from '../report.js';
import { catalogueModel, reducedOverrides, validationFixture } from '../repository.js';

/** A compared row as the ground-truth tests build it (apps/cli/src/train/ground-truth/activations.ts). */
type GroundTruthCase = { id: string; expected: number; actual: number; cause?: string };

/**
 * The ground-truth tests' own case builders where that module has them (every layer but the first,
 * the logits/loss peak); read through the namespace so this report also runs against a version of
 * the module without them, and then builds the per-layer rows itself.
 */
const shared = groundTruth as unknown as {
  savedActivationCases?: () => GroundTruthCase[];
  lossPeakCases?: () => GroundTruthCase[];
};

const asCase = (c: GroundTruthCase): AccuracyCase => ({
  id: c.id,
  expected: c.expected,
  actual: c.actual,
  unit: 'bytes',
  ...(c.cause ? { cause: c.cause } : {}),
});

/** Bytes saved for backward per decoder layer, every model and setting of validation/fixtures/activations.json. */
export function savedActivations(): AccuracyCategory {
  const f = validationFixture<{
    seq: number;
    batch: number;
    layers: number;
    models: Record<string, Record<string, groundTruth.SavedRecord>>;
  }>('activations.json');
  const source = `torch ${f.versions.torch} saved_tensors_hooks, reduced-depth variants at real widths (validation/activations.py)`;
  if (shared.savedActivationCases)
    return {
      key: 'activations',
      name: 'saved activations (per layer)',
      target: 0.03,
      source,
      cases: shared.savedActivationCases().map(asCase),
    };
  const cases: AccuracyCase[] = [];
  for (const [id, rows] of Object.entries(f.models)) {
    const model = catalogueModel(id, reducedOverrides(id, f.layers));
    for (const [key, r] of Object.entries(rows)) {
      // The last layer: its tensors repeat for every layer but the first (validation/README.md).
      const expected = r.perLayer?.at(-1);
      if (expected === undefined) continue;
      const cause = groundTruth.KNOWN_ACTIVATION_DIFFERENCES[`${id} ${key}`];
      cases.push({
        id: `${id} ${key}`,
        expected,
        actual: groundTruth.vramkitSavedPerLayer(model, key, f.seq, f.batch),
        unit: 'bytes',
        ...(cause ? { cause } : {}),
      });
    }
  }
  return { key: 'activations', name: 'saved activations (per layer)', target: 0.03, source, cases };
}

/** The measured logits/loss allocator peak against vramkit's logits part, where the fixture records it. */
export function lossPeaks(): AccuracyCategory[] {
  const cases = shared.lossPeakCases?.().map(asCase) ?? [];
  if (cases.length === 0) return [];
  const f = validationFixture<object>('activations.json');
  return [
    {
      key: 'loss',
      name: 'logits/loss peak',
      target: 0.03,
      source: `torch ${f.versions.torch} profiler memory events around the head and ForCausalLMLoss (validation/activations.py)`,
      cases,
    },
  ];
}

/** Seed 002's measured naive-attention forward peaks (batch 8, fp32, one head of width d_model), in MiB: the one table in @vramkit/fixtures. */
export const SEED_002 = NAIVE_ATTENTION_PEAKS;

/** Core's forward-activation model of seed 002's single-head attention, in MiB. */
export const seed002Model = (seq: number, d: number, attention: 'naive' | 'flash') =>
  inferenceActivationBytes(singleHeadAttention(d), {
    chunkTokens: seq,
    batch: 8,
    activationBytes: 4,
    attention,
    logits: 'none',
  }).bytes / MIB;

/**
 * Seed 002's measured peaks at seq ≥ 4096, where the L² scores dominate; shorter runs are mostly
 * PyTorch's allocator rounding and the guide shows them beside the model.
 */
export function seed002(): AccuracyCategory {
  return {
    key: 'seed-002',
    name: 'attention activations (seed 002)',
    target: 0.1,
    source: 'seed 002 (measured, torch.cuda.max_memory_allocated)',
    cases: SEED_002.filter((r) => r.seq >= 4096).map((r) => ({
      id: `naive attention seq ${r.seq}, d_model ${r.d}`,
      expected: r.mib,
      actual: seed002Model(r.seq, r.d, 'naive'),
      unit: 'MiB',
      resolution: 0.05,
    })),
  };
}
