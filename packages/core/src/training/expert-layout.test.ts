import { fixtureModel, recordedConfig } from '@vramkit/fixtures';
import { normalizeConfig } from '@vramkit/models';
import { describe, expect, it } from 'vitest';
import lora from '../../../../validation/fixtures/lora.json' with { type: 'json' };
import counts from './__fixtures__/lora_counts.json' with { type: 'json' };
import { prepareModel } from '../model/prepare-model.js';
import { estimateTraining } from './estimate-training.js';

// LoRA on MoE experts: transformers < 5 builds one nn.Linear per expert (split), transformers ≥ 5 fuses
// gate and up into one 3-D gate_up_proj (fused), which changes peft's trainable count. The default
// follows the transformers version the config names; lora.expertLayout overrides it.
const fusedVersion = lora.versions.transformers; // the transformers that recorded validation/fixtures/lora.json
type Row = { trainable: number; all: number };
const fused = (id: keyof typeof lora.models, row: string) => (lora.models[id] as Record<string, Row>)[row]!;
const versionOf = (id: string) => normalizeConfig(recordedConfig(id)).transformersVersion;
const printed = (id: string, model: string, r: number) => {
  const rec = counts.records.find((x) => x.model === model && x.r === r && x.method === 'lora');
  if (!rec) throw new Error(`no peft printout for ${model}`);
  return { rec, id };
};

describe('LoRA expert layout from transformers_version', () => {
  const mixtral = fixtureModel('mistralai/Mixtral-8x7B-v0.1');
  const allLinear = { method: 'lora', lora: { rank: 16, targets: 'all-linear' } } as const;

  it('reads transformers_version from the config (normalizeConfig carries it)', () => {
    expect(versionOf('mistralai/Mixtral-8x7B-v0.1')).toBe('4.36.0.dev0');
    expect(versionOf('deepseek-ai/DeepSeek-V2-Lite')).toBe('4.33.1');
  });

  it("splits Mixtral's experts for a config written by transformers 4.36: peft printed 120,350,720 trainable", () => {
    const { rec } = printed('mistralai/Mixtral-8x7B-v0.1', 'mistralai/Mixtral-8x7B-v0.1', 8);
    const e = estimateTraining({
      model: mixtral,
      method: 'lora',
      lora: { rank: rec.r, targets: rec.target_modules as string[] },
      transformersVersion: versionOf('mistralai/Mixtral-8x7B-v0.1'),
    });
    expect(e.parameters.trainable).toBe(rec.trainable);
    expect(e.assumptions.join('\n')).toMatch(
      /split layout \(the config names transformers 4\.36\.0\.dev0\); lora\.expertLayout chooses/,
    );
    expect(e.assumptions.join('\n')).not.toMatch(/--/);
  });

  it(`fuses them under transformers ${fusedVersion}: peft's counts in validation/fixtures/lora.json`, () => {
    for (const [hub, file] of [
      ['mistralai/Mixtral-8x7B-v0.1', 'mistralai__Mixtral-8x7B-v0.1'],
      ['deepseek-ai/DeepSeek-V2-Lite', 'deepseek-ai__DeepSeek-V2-Lite'],
      ['Qwen/Qwen3-30B-A3B', 'Qwen__Qwen3-30B-A3B'],
    ] as const) {
      const e = estimateTraining({ model: fixtureModel(hub), ...allLinear, transformersVersion: fusedVersion });
      const want = fused(file, 'r16-all-linear');
      expect({ trainable: e.parameters.trainable, all: e.parameters.all }).toEqual(want);
      // The config's own (4.x) version gives the split count, which differs.
      const split = estimateTraining({ model: fixtureModel(hub), ...allLinear, transformersVersion: versionOf(hub) });
      expect(split.parameters.trainable).not.toBe(want.trainable);
    }
  });

  it('splits DeepSeek-V2-Lite (transformers 4.33.1): peft printed 144,918,528 for DeepSeek-Coder-V2-Lite r=8', () => {
    const rec = counts.records.find((x) => x.model === 'deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct' && x.r === 8)!;
    const e = estimateTraining({
      model: fixtureModel('deepseek-ai/DeepSeek-V2-Lite'),
      method: 'lora',
      lora: { rank: 8, targets: rec.target_modules as string[] },
      transformersVersion: versionOf('deepseek-ai/DeepSeek-V2-Lite'),
    });
    expect(e.parameters.trainable).toBe(rec.trainable);
  });

  it('takes the version a prepared model carries (prepareModel transformersVersion, as loaders set it)', () => {
    const { rec } = printed('mistralai/Mixtral-8x7B-v0.1', 'mistralai/Mixtral-8x7B-v0.1', 8);
    const model = prepareModel(mixtral.arch, { transformersVersion: versionOf('mistralai/Mixtral-8x7B-v0.1')! });
    const lora8 = { method: 'lora', lora: { rank: rec.r, targets: rec.target_modules as string[] } } as const;
    expect(estimateTraining({ model, ...lora8 }).parameters.trainable).toBe(rec.trainable);
    // An explicit transformersVersion wins over the model's.
    expect(estimateTraining({ model, ...lora8, transformersVersion: fusedVersion }).parameters.trainable).not.toBe(
      rec.trainable,
    );
  });

  it('lets lora.expertLayout override the version, and defaults to fused without one (the current release)', () => {
    const want = fused('mistralai__Mixtral-8x7B-v0.1', 'r16-all-linear').trainable;
    const at = (o: { transformersVersion?: string; expertLayout?: 'fused' | 'split' }) =>
      estimateTraining({
        model: mixtral,
        method: 'lora',
        lora: { rank: 16, targets: 'all-linear', ...(o.expertLayout ? { expertLayout: o.expertLayout } : {}) },
        ...(o.transformersVersion ? { transformersVersion: o.transformersVersion } : {}),
      }).parameters.trainable;
    expect(at({ transformersVersion: '4.36.0', expertLayout: 'fused' })).toBe(want);
    expect(at({ transformersVersion: fusedVersion, expertLayout: 'split' })).toBe(
      at({ transformersVersion: '4.36.0' }),
    );
    expect(at({})).toBe(want);
  });
});
