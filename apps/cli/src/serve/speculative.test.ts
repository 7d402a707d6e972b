import { describe, expect, it } from 'vitest';
import { CompareOutputSchema, FitOutputSchema, ServeOutputSchema } from './output-schemas.js';
import { cli } from './serve-test-setup.js';

const target = 'meta-llama/Meta-Llama-3.1-8B';
const draft = 'meta-llama/Llama-3.2-1B-Instruct';
// Llama-3.2-1B: 16 layers × 8 KV heads × 64 × 2 (K, V) × 2 bytes (f16) per cell.
const DRAFT_KV_PER_CELL = 16 * 8 * 64 * 2 * 2;
const llama = [target, '--engine', 'llama.cpp', '--quant', 'Q4_K_M', '--gpu', 'rtx-4090'];

describe('speculative decoding through the CLI', () => {
  it('estimate -md adds the draft as one context of the target cells: weights, KV cache, compute', async () => {
    const r = await cli(['estimate', ...llama, '-c', '8192', '-np', '2', '-md', draft, '--json']);
    expect(r.err).toBe('');
    const out = ServeOutputSchema.parse(JSON.parse(r.out));
    const base = ServeOutputSchema.parse(
      JSON.parse((await cli(['estimate', ...llama, '-c', '8192', '-np', '2', '--json'])).out),
    );
    const s = out.speculative!;
    expect(s.method).toBe('draft');
    expect(s.draft).toBe(draft);
    // common/speculative.cpp: the draft context takes llama_n_ctx(ctx_tgt), all 8192 cells, shared by -np 2.
    expect(s.context).toBe(8192);
    const dev = (
      out.breakdown as {
        devices: { parts: Record<string, { bytes: number; parts?: Record<string, { bytes: number }> }> }[];
      }
    ).devices[0]!;
    const d = dev.parts.draft!;
    expect(d.parts!.kvCache!.bytes).toBe(2 * 4096 * DRAFT_KV_PER_CELL);
    // Q4_K_M layers and output on the GPU (token_embd stays in host RAM): about 0.55 GB of the 0.8 GB file.
    expect(d.parts!.weights!.bytes).toBeGreaterThan(0.4e9);
    expect(d.parts!.weights!.bytes).toBeLessThan(0.8e9);
    expect(d.parts!.compute!.bytes).toBeGreaterThan(0);
    expect(out.gpus[0]!.draftBytes).toBe(d.bytes);
    expect(out.bytes.total - base.bytes.total).toBe(d.bytes);
    expect(out.assumptions.join('\n')).toMatch(/acceptance rate α = 0\.7 assumed/);
    expect(out.assumptions.join('\n')).toMatch(/draft model meta-llama\/Llama-3\.2-1B-Instruct: weights Q4_K_M/);
  });

  it('prints the draft column, its settings and the speed-up as a model', async () => {
    const r = await cli(['estimate', ...llama, '-md', draft, '--acceptance-rate', '0.8', '--spec-draft-n-max', '4']);
    expect(r.out).toMatch(/^GPU\s+weights\s+KV cache\s+compute\s+overhead\s+draft\s+total/m);
    expect(r.out).toMatch(
      /speculative decoding \(draft\): \+\d+\.\d\d GiB on the most loaded GPU · -ngld 17 .* γ 4 · α 0\.8/,
    );
    expect(r.out).toMatch(
      /decode with the draft ≈ [\d.]+ tok\/s \(× \d\.\d\d, 4\.00 drafted, 3\.36 tokens per target step; model: .*Leviathan/,
    );
  });

  it('--emit llama-server carries -hfd, -ngld, -ctkd and the --spec-draft-* names this llama.cpp takes', async () => {
    const r = await cli([
      'estimate',
      ...llama,
      '-md',
      `${draft}:Q8_0`,
      '-ngld',
      '10',
      '-ctkd',
      'q8_0',
      '--draft-max',
      '6',
      '--draft-p-min',
      '0.75',
      '--emit',
      'llama-server',
    ]);
    expect(r.out).toMatch(
      new RegExp(
        ` -hfd ${draft.replace(/[./]/g, '\\$&')}:Q8_0 -ngld 10 -ctkd q8_0 --spec-draft-n-max 6 --spec-draft-p-min 0.75\\n$`,
      ),
    );
  });

  it('vLLM: --speculative-config adds the drafter to the pool and reappears on the launch line', async () => {
    const vllm = [target, '--engine', 'vllm', '--gpu', 'h100-80gb', '-c', '8192'];
    const config = JSON.stringify({ model: draft, num_speculative_tokens: 4 });
    const out = ServeOutputSchema.parse(
      JSON.parse((await cli(['estimate', ...vllm, '--speculative-config', config, '--json'])).out),
    );
    const base = ServeOutputSchema.parse(JSON.parse((await cli(['estimate', ...vllm, '--json'])).out));
    expect(out.speculative!.draftTokens).toBe(4);
    expect(out.engine.kvTokens).toBeLessThan(base.engine.kvTokens);
    const parts = (out.breakdown as { parts: Record<string, { parts?: Record<string, { bytes: number }> }> }).parts;
    expect(parts.draft!.parts!.weights!.bytes).toBe(base.engine.kvBudgetBytes - out.engine.kvBudgetBytes);
    const line = (await cli(['estimate', ...vllm, '--speculative-config', config, '--emit', 'vllm'])).out;
    expect(line).toMatch(
      /--speculative-config '\{"method":"draft_model","model":"meta-llama\/Llama-3\.2-1B-Instruct","num_speculative_tokens":4\}'\n$/,
    );
  });

  it('compare and fit count the draft: a draft column for llama.cpp rows, and a shorter max context', async () => {
    const c = await cli(['compare', target, '--gpu', 'rtx-4090', '--engine', 'llama.cpp,vllm', '-md', draft, '--json']);
    const rows = CompareOutputSchema.parse(JSON.parse(c.out)).results;
    expect(rows.find((x) => x.engine === 'llama.cpp')!.speculative?.bytes).toBeGreaterThan(0);
    expect(rows.find((x) => x.engine === 'vllm')!.speculative).toBeUndefined();
    const text = await cli(['compare', target, '--gpu', 'rtx-4090', '--engine', 'llama.cpp', '-md', draft]);
    expect(text.out).toMatch(/^GPU\s+engine\s+quant\s+weights\s+KV\s+compute\s+draft\s+total/m);
    const fit = (extra: string[]) =>
      cli(['fit', target, '--gpu', 'rtx-4090', '--quant', 'Q4_K_M', '--json', ...extra]).then(
        (r) => FitOutputSchema.parse(JSON.parse(r.out)).rows[0]!.maxContext,
      );
    expect(await fit(['-md', draft])).toBeLessThan(await fit([]));
  });

  it('fit names the draft it counts: model, format, weights and KV, in text and JSON', async () => {
    const args = ['fit', target, '--gpu', 'rtx-4090', '--quant', 'Q4_K_M', '-md', `${draft}:Q8_0`, '--context', '8192'];
    const json = FitOutputSchema.parse(JSON.parse((await cli([...args, '--json'])).out));
    expect(json.draft).toMatchObject({ model: draft, method: 'draft', format: 'Q8_0', draftTokens: 3, context: 8192 });
    // One draft context of 8192 cells (padded to 256) at f16.
    expect(json.draft!.kvCacheBytes).toBe(8192 * DRAFT_KV_PER_CELL);
    expect(json.draft!.weightBytes).toBeGreaterThan(1e9);
    const text = (await cli(args)).out;
    expect(text).toMatch(
      /^draft \(draft\): meta-llama\/Llama-3\.2-1B-Instruct in Q8_0 · weights \d+\.\d\d GiB · KV 0\.25 GiB at 8,192 tokens · γ 3; counted in every cell$/m,
    );
    expect(FitOutputSchema.parse(JSON.parse((await cli(args.slice(0, 6).concat('--json'))).out)).draft).toBeUndefined();
  });

  it('a speculative flag on an engine that does not take it is an error', async () => {
    const vllm = await cli(['estimate', target, '--engine', 'vllm', '--gpu', 'h100-80gb', '-md', draft]);
    expect(vllm.code).not.toBe(0);
    expect(vllm.err).toMatch(/--model-draft/);
    const llamaConfig = await cli(['estimate', ...llama, '--speculative-config', '{"method":"mtp"}']);
    expect(llamaConfig.code).not.toBe(0);
    expect(llamaConfig.err).toMatch(/--speculative-config/);
    const transformers = await cli([
      'estimate',
      target,
      '--engine',
      'transformers',
      '--gpu',
      'h100-80gb',
      '--acceptance-rate',
      '0.8',
    ]);
    expect(transformers.code).not.toBe(0);
    expect(transformers.err).toMatch(/--acceptance-rate/);
    const noDraft = await cli(['estimate', ...llama, '-ngld', '3']);
    expect(noDraft.code).not.toBe(0);
    expect(noDraft.err).toMatch(/--gpu-layers-draft needs --model-draft/);
    // -cd is not a flag of this llama.cpp: the draft context takes the target's cells.
    expect((await cli(['estimate', ...llama, '-md', draft, '-cd', '2048'])).code).not.toBe(0);
    const pMin = await cli(['estimate', target, '--engine', 'vllm', '--gpu', 'h100-80gb', '--spec-draft-p-min', '0.5']);
    expect(pMin.code).not.toBe(0);
    expect(pMin.err).toMatch(/--spec-draft-p-min/);
    const vllmWith = (config: string) =>
      cli(['estimate', target, '--engine', 'vllm', '--gpu', 'h100-80gb', '--speculative-config', config]);
    expect((await vllmWith(`{"model":"${draft}"}`)).err).toMatch(/num_speculative_tokens/);
    const noMtp = await vllmWith('{"method":"mtp"}');
    expect(noMtp.code).not.toBe(0);
    expect(noMtp.err).toMatch(/no MTP layers/);
  });

  it('library errors carry the field path and the CLI names the flag', async () => {
    const r = await cli(['estimate', target, '--engine', 'vllm', '--gpu', 'rtx-4090', '--max-model-len', '8']);
    expect(r.err).toMatch(/--max-model-len: 8 is below one KV block of 16 tokens/);
    expect(r.err).not.toMatch(/vllm\.maxModelLen/);
    const gpu = await cli(['estimate', ...llama.slice(0, 5), '--gpu', 'rtx-9999']);
    expect(gpu.err).toMatch(/--gpu: Unknown GPU "rtx-9999"/);
  });
});
