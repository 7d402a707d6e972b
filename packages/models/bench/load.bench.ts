import { bench, describe } from 'vitest';
import { listCatalogue } from '../src/catalogue/catalogue.js';
import { ggufInventoryFrom } from '../src/gguf/read-gguf.js';
import { parseSafetensorsHeader } from '../src/safetensors/parse-header.js';
import { inventoryFromHeaders } from '../src/safetensors/read-safetensors.js';
import { checkpointTensors, ggufFromConfig } from '../src/testing/fixture-repos.js';
import { buildSafetensorsFile } from '../src/testing/safetensors-writer.js';
import { normalizeConfig } from '../src/normalize/normalize-config.js';
import { gguf } from '@huggingface/gguf';

// DeepSeek-V3's checkpoint has ~92k tensors (256 experts × 3 projections × 58 MoE layers, plus MTP):
// the largest header set a load parses. Qwen3-30B-A3B (~18.9k tensors) is the common MoE case.
const config = (id: string) => listCatalogue().find((e) => e.id === id)!.config;
const qwenMoe = buildSafetensorsFile(checkpointTensors(normalizeConfig(config('Qwen/Qwen3-30B-A3B')).architecture));
const deepseek = buildSafetensorsFile(
  checkpointTensors(normalizeConfig(config('deepseek-ai/DeepSeek-V3')).architecture),
);
const llamaGguf = Object.values(ggufFromConfig(config('meta-llama/Meta-Llama-3.1-8B'), 'llama').files)[0]!;
const ggufUrl = URL.createObjectURL(new Blob([llamaGguf.head as Uint8Array<ArrayBuffer>, new Uint8Array(2_000_000)]));

describe('safetensors header → inventory', () => {
  bench('Qwen3-30B-A3B (18.9k tensors): parse only', () => {
    parseSafetensorsHeader(qwenMoe.head, 'model.safetensors', qwenMoe.size);
  });
  bench('Qwen3-30B-A3B (18.9k tensors): parse + classify', () => {
    const h = parseSafetensorsHeader(qwenMoe.head, 'model.safetensors', qwenMoe.size);
    inventoryFromHeaders([{ file: 'model.safetensors', header: h }]);
  });
  bench('DeepSeek-V3 (~92k tensors): parse + classify', () => {
    const h = parseSafetensorsHeader(deepseek.head, 'model.safetensors', deepseek.size);
    inventoryFromHeaders([{ file: 'model.safetensors', header: h }], 61);
  });
});

describe('GGUF header → inventory', () => {
  bench('Llama-3.1-8B Q4_K_M header (292 tensors)', async () => {
    const parsed = await gguf(ggufUrl);
    ggufInventoryFrom(parsed as unknown as Parameters<typeof ggufInventoryFrom>[0], 'llama.gguf');
  });
});
