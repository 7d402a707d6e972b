import { fixtureArchitecture } from '@vramkit/fixtures';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { prepareModel } from '../model/prepare-model.js';
// Hand-built only where no config is recorded (Qwen2.5-3B, Qwen1.5-7B, deepseek-llm-7b: Hub configs transcribed).
import { deepseekLlm7b, qwen15_7b, qwen25_3b } from './__fixtures__/architectures.js';
import counts from './__fixtures__/lora_counts.json' with { type: 'json' };
import { peftPrintedCounts, resolveAdapters } from './lora.js';

// Recorded configs through normalizeConfig (@vramkit/fixtures).
const llama2_7b = fixtureArchitecture('meta-llama/Llama-2-7b-hf');
const llama31_8b = fixtureArchitecture('meta-llama/Meta-Llama-3.1-8B');
const mixtral8x7b = fixtureArchitecture('mistralai/Mixtral-8x7B-v0.1');
/** Mistral-7B-v0.1; `vocab` overridable for the resized-embedding notebook. */
const mistral7b = (vocab = 32000) => fixtureArchitecture('mistralai/Mistral-7B-v0.1', { vocab_size: vocab });

const ALL7 = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

function record(model: string, r: number, trainable: number) {
  const rec = counts.records.find((x) => x.model === model && x.r === r && x.trainable === trainable);
  if (!rec) throw new Error(`fixture record ${model} r=${r} missing`);
  return rec;
}

it('fused experts (transformers ≥ 5): gate_up_proj at rank 2r, down_proj at r, per expert: r(3H + 5I) instead of split 3r(H + I)', () => {
  const m = prepareModel(mixtral8x7b);
  // peft maps the split names (w1, w3 / w2) onto transformers 5's fused gate_up_proj / down_proj.
  const fused = resolveAdapters(m, { rank: 8, targets: ['w1', 'w2', 'w3'], expertLayout: 'fused' });
  const split = resolveAdapters(m, { rank: 8, targets: ['w1', 'w2', 'w3'], expertLayout: 'split' });
  const { hiddenSize: h, layers } = mixtral8x7b;
  const mlp = layers[0]!.mlp as { numExperts: number; expertIntermediateSize: number };
  const per = layers.length * mlp.numExperts * 8;
  expect(split.trainable).toBe(per * 3 * (h + mlp.expertIntermediateSize));
  expect(fused.trainable).toBe(per * (3 * h + 5 * mlp.expertIntermediateSize));
});

describe('resolveAdapters', () => {
  it('counts 39,976,960 trainable parameters for Llama-2-7B, r=16, all seven projections (seed 004 says 29.4M)', () => {
    const plan = resolveAdapters(prepareModel(llama2_7b), { rank: 16, targets: ALL7 });
    expect(plan.trainable).toBe(39_976_960);
    expect(plan.modules).toHaveLength(7 * 32);
  });

  it('treats all-linear as every linear except lm_head: 39,976,960 for Llama-2-7B r=16', () => {
    expect(resolveAdapters(prepareModel(llama2_7b), { rank: 16, targets: 'all-linear' }).trainable).toBe(39_976_960);
  });

  it('adapts nothing for a name that matches no module, and throws when none match (Phi-3 style fused qkv)', () => {
    const plan = resolveAdapters(prepareModel(llama2_7b), { rank: 8, targets: ['q_proj', 'qkv_proj'] });
    expect(plan.unmatchedTargets).toEqual(['qkv_proj']);
    expect(plan.trainable).toBe(32 * 8 * (4096 + 4096));
    expect(() => resolveAdapters(prepareModel(llama2_7b), { rank: 8, targets: ['qkv_proj'] })).toThrow(
      InvalidInputError,
    );
  });
});

// lora_counts.json records, tested where the architecture is modelled. Skipped, and why:
// - bigscience/mt0-large ×2, google/flan-t5-large, google/flan-t5-xxl, openai/whisper-large-v2:
//   encoder-decoder models (no decoder-only Architecture).
// - facebook/opt-350m, facebook/opt-6.7b, bigscience/bloomz-7b1, bigscience/bloom-1b1, microsoft/phi-2,
//   Qwen/Qwen-7B-Chat ×3, THUDM/chatglm3-6b, THUDM/glm-4-9b-chat, baichuan-inc/Baichuan2-7B-Chat,
//   internlm/internlm3-8b-instruct, Qwen/Qwen3.5-4B: no recorded config and module naming
//   (W_pack, c_attn + w1/w2, Wqkv/fc1, project_in/out) our synthesizer does not produce.
// - google/gemma-2-2b and meta-llama/Llama-2-7b-hf (SEQ_CLS): sequence-classification heads, and
//   the Llama record counts the score head twice (old peft), per its note.
// - google/gemma-3-4b-it: multimodal wrapper (vision tower in "all").
describe('lora_counts.json', () => {
  it('Qwen/Qwen2.5-3B-Instruct r=16 default targets: 3,686,400 || 3,089,625,088', () => {
    const rec = record('Qwen/Qwen2.5-3B-Instruct', 16, 3_686_400);
    const m = prepareModel(qwen25_3b);
    const plan = resolveAdapters(m, { rank: rec.r, targets: 'default' });
    expect(peftPrintedCounts(m, plan)).toEqual({ trainable: rec.trainable, all: rec.all });
  });

  it('Mistral-7B r=64 on embed_tokens, lm_head, q_proj, v_proj with vocab resized to 32,027: 31,886,720 || 7,273,840,000', () => {
    const rec = record('mistralai/Mistral-7B-v0.1', 64, 31_886_720);
    const m = prepareModel(mistral7b(32027));
    const plan = resolveAdapters(m, { rank: rec.r, targets: rec.target_modules as string[] });
    expect(peftPrintedCounts(m, plan)).toEqual({ trainable: rec.trainable, all: rec.all });
  });

  it('Meta-Llama-3-8B QDoRA r=8, seven projections: 22,347,776 trainable (magnitudes 1,376,256), packed 4-bit all 4,562,948,096', () => {
    const rec = record('meta-llama/Meta-Llama-3-8B', 8, 22_347_776);
    const m = prepareModel(llama31_8b);
    const plan = resolveAdapters(m, { rank: rec.r, targets: rec.target_modules as string[], dora: true });
    expect(plan.magnitudeParams).toBe(1_376_256);
    expect(peftPrintedCounts(m, plan, { packed4bit: true })).toEqual({ trainable: rec.trainable, all: rec.all });
  });

  it('Llama-2-7b-chat QLoRA r=8 default targets: 4,194,304 || 3,504,607,232 (packed 4-bit)', () => {
    const rec = record('meta-llama/Llama-2-7b-chat-hf', 8, 4_194_304);
    const m = prepareModel(llama2_7b);
    const plan = resolveAdapters(m, { rank: rec.r, targets: 'default' });
    expect(peftPrintedCounts(m, plan, { packed4bit: true })).toEqual({ trainable: rec.trainable, all: rec.all });
  });

  it('Mistral-7B QLoRA r=32, seven projections + lm_head: 85,041,152 || 3,837,112,320 (packed 4-bit)', () => {
    const rec = record('mistralai/Mistral-7B-v0.1', 32, 85_041_152);
    const m = prepareModel(mistral7b());
    const plan = resolveAdapters(m, { rank: rec.r, targets: rec.target_modules as string[] });
    expect(peftPrintedCounts(m, plan, { packed4bit: true })).toEqual({ trainable: rec.trainable, all: rec.all });
  });

  it('Mixtral-8x7B QLoRA r=8 on attention, per-expert w1/w2/w3 and lm_head: 120,350,720 || 23,602,952,192 (packed 4-bit)', () => {
    const rec = record('mistralai/Mixtral-8x7B-v0.1', 8, 120_350_720);
    const m = prepareModel(mixtral8x7b);
    // Printed with transformers < 5: one nn.Linear per expert.
    const plan = resolveAdapters(m, { rank: rec.r, targets: rec.target_modules as string[], expertLayout: 'split' });
    expect(peftPrintedCounts(m, plan, { packed4bit: true })).toEqual({ trainable: rec.trainable, all: rec.all });
  });

  it('Qwen1.5-7B-Chat r=8, seven projections: 19,988,480 || 7,741,313,024', () => {
    const rec = record('Qwen/Qwen1.5-7B-Chat', 8, 19_988_480);
    const m = prepareModel(qwen15_7b);
    const plan = resolveAdapters(m, { rank: rec.r, targets: rec.target_modules as string[] });
    expect(peftPrintedCounts(m, plan)).toEqual({ trainable: rec.trainable, all: rec.all });
  });

  it('DeepSeek-Coder-V2-Lite r=8 on MLA projections and per-expert MLPs: 144,918,528 || 15,851,402,752', () => {
    // Same architecture as DeepSeek-V2-Lite (configs/deepseek-ai__DeepSeek-V2-Lite.json), normalized by @vramkit/models.
    const rec = record('deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct', 8, 144_918_528);
    const m = prepareModel(fixtureArchitecture('deepseek-ai/DeepSeek-V2-Lite'));
    const plan = resolveAdapters(m, { rank: rec.r, targets: rec.target_modules as string[], expertLayout: 'split' });
    expect(peftPrintedCounts(m, plan)).toEqual({ trainable: rec.trainable, all: rec.all });
  });

  it('deepseek-llm-7b-chat QLoRA r=8 on q/k/v/o: 7,864,320 || 3,882,602,496 (packed 4-bit, peft 0.4.0)', () => {
    const rec = record('deepseek-ai/deepseek-llm-7b-chat', 8, 7_864_320);
    const m = prepareModel(deepseekLlm7b);
    const plan = resolveAdapters(m, { rank: rec.r, targets: rec.target_modules as string[] });
    expect(peftPrintedCounts(m, plan, { packed4bit: true })).toEqual({ trainable: rec.trainable, all: rec.all });
  });
});

describe('targetParameters (peft target_parameters, ParamWrapper)', () => {
  const gptOss = prepareModel(fixtureArchitecture('openai/gpt-oss-20b'));
  const { hiddenSize: h, layers } = gptOss.arch;
  const moe = layers[0]!.mlp as { numExperts: number; expertIntermediateSize: number };

  it("adapts gpt-oss' fused experts at rank r × experts: A [r·E, in], B [out, r·E] per parameter", () => {
    const plan = resolveAdapters(gptOss, { rank: 8, targets: [], targetParameters: ['experts.gate_up_proj'] });
    const f = moe.expertIntermediateSize;
    expect(plan.trainable).toBe(layers.length * moe.numExperts * 8 * (h + 2 * f));
    expect(plan.modules.every((m) => m.parameter === true && m.module === 'gate_up_proj')).toBe(true);
  });

  it('names the field and the valid parameters for a name that matches nothing', () => {
    const run = () => resolveAdapters(gptOss, { rank: 8, targets: 'all-linear', targetParameters: ['experts.w1'] });
    expect(run).toThrow(InvalidInputError);
    expect(run).toThrow(/experts\.gate_up_proj.*experts\.down_proj|experts\.down_proj.*experts\.gate_up_proj/);
    try {
      run();
    } catch (e) {
      expect((e as InvalidInputError).issues[0]!.path).toBe('lora.targetParameters');
    }
  });

  it('refuses parameters on a dense model, on split experts, DoRA and dropout, and empty targets without parameters', () => {
    const dense = prepareModel(llama2_7b);
    const mixtral = prepareModel(mixtral8x7b);
    const p = ['experts.gate_up_proj'];
    expect(() => resolveAdapters(dense, { rank: 8, targets: ['q_proj'], targetParameters: p })).toThrow(
      /no fused 3-D expert parameters/,
    );
    expect(() =>
      resolveAdapters(mixtral, { rank: 8, targets: ['q_proj'], targetParameters: p, expertLayout: 'split' }),
    ).toThrow(/split/);
    expect(() => resolveAdapters(gptOss, { rank: 8, targets: [], targetParameters: p, dora: true })).toThrow(
      InvalidInputError,
    );
    expect(() => resolveAdapters(gptOss, { rank: 8, targets: [], targetParameters: p, dropout: 0.05 })).toThrow(
      /lora\.dropout|`lora.dropout`/,
    );
    expect(() => resolveAdapters(dense, { rank: 8, targets: [] })).toThrow(InvalidInputError);
  });

  it("allows DoRA on Mixtral's split experts (one nn.Linear each) and refuses it on the fused layout", () => {
    const mixtral = prepareModel(mixtral8x7b);
    const { layers } = mixtral8x7b;
    const moe = layers[0]!.mlp as { numExperts: number; expertIntermediateSize: number };
    const split = resolveAdapters(mixtral, { rank: 8, targets: ['w1'], dora: true, expertLayout: 'split' });
    // w1 is gate_proj [I, H]: DoRA adds I magnitudes per expert.
    expect(split.magnitudeParams).toBe(layers.length * moe.numExperts * moe.expertIntermediateSize);
    expect(() =>
      resolveAdapters(mixtral, { rank: 8, targets: ['w1', 'w3'], dora: true, expertLayout: 'fused' }),
    ).toThrow(/DoRA/);
  });
});
