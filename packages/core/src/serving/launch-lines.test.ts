import { describe, expect, it } from 'vitest';
import type { Architecture } from '../model/architecture.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { plainFormats } from '../formats/weight-format.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { defaultLaunchTarget, enginesLaunching, launchCommand } from './engine-profiles.js';
import { estimateServing } from './estimate-serving.js';
import { lookupGpu } from './gpus.js';
import type { ServingOptions } from './serving.js';

const line = (
  options: ServingOptions,
  model: string,
  target?: Parameters<typeof launchCommand>[1],
  draftModel?: string,
) =>
  launchCommand({ options, estimate: estimateServing(options), model, ...(draftModel ? { draftModel } : {}) }, target);
const named = (id: string): WeightFormat => ({ ...plainFormats.bf16, id });
const draft: Architecture = { ...llama2_7b, layers: llama2_7b.layers.slice(0, 4) };

describe('launch lines built by the engine profiles', () => {
  const llama: ServingOptions = {
    engine: 'llama.cpp',
    model: llama2_7b,
    format: ggufFileType('Q4_0'),
    gpus: [lookupGpu('rtx-4090')],
    llamaCpp: { ctxSize: 8192, parallel: 2, nGpuLayers: 33, cacheTypeK: 'q8_0', cacheTypeV: 'q4_0', flashAttn: 'on' },
  };

  it('llama-server pulls repo:<file type> or runs -m file.gguf, with -c the total of -np sequences', () => {
    expect(line(llama, 'TheBloke/Llama-2-7B-GGUF')).toBe(
      'llama-server -hf TheBloke/Llama-2-7B-GGUF:Q4_0 -c 8192 -np 2 -ngl 33 -fa on -ctk q8_0 -ctv q4_0\n',
    );
    expect(line(llama, '/models/llama 2.gguf')).toMatch(/^llama-server -m '\/models\/llama 2\.gguf' -c 8192 /);
  });

  it('llama-server carries the draft model with -md, -ngld, -ctkd/-ctvd and the --spec-draft-* flags this llama.cpp takes', () => {
    const o: ServingOptions = {
      ...llama,
      speculative: {
        draft,
        draftFormat: ggufFileType('Q8_0'),
        gpuLayers: 5,
        cacheTypeK: 'q8_0',
        draftTokens: 8,
        draftMinTokens: 2,
        draftPMin: 0.75,
      },
    };
    // common/arg.cpp: --draft-max was removed ("use --spec-draft-n-max"); -cd does not exist.
    expect(line(o, 'x/target-GGUF', 'llama-server', 'draft.gguf')).toMatch(
      / -md draft\.gguf -ngld 5 -ctkd q8_0 --spec-draft-n-max 8 --spec-draft-n-min 2 --spec-draft-p-min 0\.75\n$/,
    );
    expect(line(o, 'x/target-GGUF', 'llama-server', 'x/draft-GGUF')).toMatch(/ -hfd x\/draft-GGUF:Q8_0 /);
  });

  it('ollama pulls hf.co/<repo>:<type> and states the V cache type it cannot keep', () => {
    const m = line(llama, 'TheBloke/Llama-2-7B-GGUF', 'ollama');
    expect(m).toMatch(/^FROM hf\.co\/TheBloke\/Llama-2-7B-GGUF:Q4_0\nPARAMETER num_ctx 4096\nPARAMETER num_gpu 33\n/);
    expect(m).toMatch(/OLLAMA_NUM_PARALLEL=2 OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=q8_0/);
    expect(m).toMatch(/K q8_0 and V q4_0/);
  });

  const vllm: ServingOptions = {
    engine: 'vllm',
    model: llama2_7b,
    format: named('awq'),
    gpus: [lookupGpu('rtx-4090')],
    context: 4096,
  };

  it('vllm serve names --quantization and the version defaults the estimate used for this GPU class', () => {
    const v = line(vllm, 'TheBloke/Llama-2-7B-AWQ');
    expect(v).toBe(
      'vllm serve TheBloke/Llama-2-7B-AWQ \\\n  --max-model-len 4096 \\\n  --gpu-memory-utilization 0.9 \\\n  --max-num-seqs 256 \\\n  --max-num-batched-tokens 2048 \\\n  --quantization awq\n',
    );
    expect(line({ ...vllm, format: named('gptq-4bit-128g'), gpus: [lookupGpu('h100-80gb')] }, 'm')).toMatch(
      /--max-num-seqs 1024 \\\n {2}--max-num-batched-tokens 8192 \\\n {2}--quantization gptq\n$/,
    );
  });

  it('vllm serve carries --speculative-config with the method, the drafter and num_speculative_tokens', () => {
    const o: ServingOptions = {
      ...vllm,
      format: plainFormats.bf16,
      speculative: { method: 'eagle', draft, draftTokens: 3 },
    };
    expect(line(o, 'meta-llama/Llama-2-7b-hf', 'vllm', 'yuhuili/EAGLE-llama2-chat-7B')).toMatch(
      /--speculative-config '\{"method":"eagle","model":"yuhuili\/EAGLE-llama2-chat-7B","num_speculative_tokens":3\}'\n$/,
    );
  });

  it('transformers loads the format as estimated (bitsandbytes NF4) and generates the batch', () => {
    const o: ServingOptions = {
      engine: 'transformers',
      model: llama2_7b,
      format: named('bnb-nf4'),
      gpus: [lookupGpu('rtx-4090')],
      context: 2048,
      batch: 4,
    };
    const s = line(o, 'meta-llama/Llama-2-7b-hf');
    expect(s).toMatch(/BitsAndBytesConfig\(load_in_4bit=True, bnb_4bit_quant_type="nf4"/);
    expect(s).toMatch(/torch\.zeros\(\(4, 1\)/);
    expect(s).toMatch(/max_length=2048/);
  });

  it('each engine launches as its own targets; another target is a typed error naming the engine that builds it', () => {
    expect(defaultLaunchTarget('llama.cpp')).toBe('llama-server');
    expect(defaultLaunchTarget('vllm')).toBe('vllm');
    expect(enginesLaunching('ollama')).toEqual(['llama.cpp']);
    let err: unknown;
    try {
      line(llama, 'x', 'vllm');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).path).toBe('launch.target');
    expect((err as Error).message).toMatch(/built for vLLM, not llama\.cpp/);
  });
});
