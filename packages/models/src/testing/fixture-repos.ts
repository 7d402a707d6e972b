import {
  type Architecture,
  countParameters,
  type GgmlTypeLayout,
  ggmlTypeLayout,
  synthesizeTensors,
  type Tensor,
} from '@vramkit/core';
import { ggufNameFor } from '../gguf/gguf-tensors.js';
import { normalizeConfig } from '../normalize/normalize-config.js';
import { buildGgufFile, GGUF_VALUE, type GgufKv, type GgufTensorSpec } from './gguf-writer.js';
import type { FixtureRepo } from './hub-server.js';
import {
  buildSafetensorsFile,
  buildShardedSafetensors,
  type SafetensorsTensorSpec,
  type VirtualFile,
} from './safetensors-writer.js';

/** A deterministic fake commit sha for a repository id. */
export function fakeSha(id: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 40; round++) {
    for (const ch of `${id}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}

/**
 * Checkpoint tensors as transformers saves them: routed experts one 2-D tensor per expert
 * (`mlp.experts.{e}.gate_proj.weight`), everything else as synthesized.
 */
export function checkpointTensors(arch: Architecture): SafetensorsTensorSpec[] {
  const out: SafetensorsTensorSpec[] = [];
  for (const t of synthesizeTensors(arch)) {
    if (t.shape.some((d) => d === 0)) continue;
    if (t.shape.length === 3 && /\.experts\.[a-z_]+$/.test(t.name)) {
      const [e, o, i] = t.shape as [number, number, number];
      const base = t.name.replace(/\.experts\.([a-z_]+)$/, '.experts');
      const proj = /\.experts\.([a-z_]+)$/.exec(t.name)![1];
      for (let k = 0; k < e; k++) out.push({ name: `${base}.${k}.${proj}.weight`, dtype: 'BF16', shape: [o, i] });
    } else {
      out.push({ name: t.name, dtype: t.kind === 'norm' ? 'BF16' : 'BF16', shape: t.shape });
    }
  }
  return out;
}

/** Options of {@link repoFromConfig}. */
export interface RepoFromConfigOptions {
  /** Safetensors shards (1 → `model.safetensors`). Default 2. */
  shards?: number;
  /** The model-info `safetensors.total` to record; default: the synthesized count. */
  hubTotal?: number;
  gated?: 'auto' | 'manual';
  /** Leave out the safetensors files (the model-info totals stay). */
  noSafetensors?: boolean;
  /** Leave out the model-info `safetensors` totals. */
  noTotals?: boolean;
}

/**
 * A Hub repository built from a config.json: config, safetensors headers (virtual data) and the
 * model-info API's safetensors totals, as the Hub would serve them.
 */
export function repoFromConfig(
  id: string,
  config: Record<string, unknown>,
  options: RepoFromConfigOptions = {},
): FixtureRepo {
  const arch = normalizeConfig(config, { allowUnknown: true }).architecture;
  const tensors = options.noSafetensors ? [] : checkpointTensors(arch);
  const total = options.noSafetensors
    ? countParameters(synthesizeTensors(arch), arch).checkpointTotal
    : tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  const configBytes = new TextEncoder().encode(JSON.stringify(config, null, 2));
  const files: Record<string, VirtualFile> = { 'config.json': { head: configBytes, size: configBytes.byteLength } };
  const shards = options.shards ?? 2;
  if (!options.noSafetensors) {
    if (shards <= 1) files['model.safetensors'] = buildSafetensorsFile(tensors);
    else Object.assign(files, buildShardedSafetensors(tensors, shards));
  }
  const hubTotal = options.hubTotal ?? total;
  return {
    id,
    sha: fakeSha(id),
    ...(options.gated ? { gated: options.gated } : {}),
    files,
    ...(options.noTotals ? {} : { safetensors: { parameters: { BF16: hubTotal }, total: hubTotal } }),
  };
}

// general.architecture for a normalized family (llama.cpp src/llama-arch.cpp LLM_ARCH_NAMES).
const GGUF_ARCH: Record<string, string> = {
  llama: 'llama',
  mistral: 'llama',
  mixtral: 'llama',
  qwen2: 'qwen2',
  qwen3: 'qwen3',
  qwen3_moe: 'qwen3moe',
  gemma: 'gemma',
  gemma2: 'gemma2',
  gemma3_text: 'gemma3',
  gpt2: 'gpt2',
  phi3: 'phi3',
};

/** The ggml type a simple Q4_K_M-like recipe gives a tensor (F32 vectors, Q6_K output/embeddings, Q4_K or Q8_0 elsewhere). */
function typeFor(t: Tensor): GgmlTypeLayout {
  if (t.shape.length <= 1) return ggmlTypeLayout('F32');
  const inF = t.shape[t.shape.length - 1]!;
  if ((t.role === 'output' || t.role === 'token_embd') && inF % 256 === 0) return ggmlTypeLayout('Q6_K');
  if (inF % 256 === 0) return ggmlTypeLayout('Q4_K');
  return inF % 32 === 0 ? ggmlTypeLayout('Q8_0') : ggmlTypeLayout('F16');
}

/**
 * A GGUF file as llama.cpp's converter lays it out for an architecture: GGUF tensor names, ggml
 * dimension order, experts merged per layer, tied output omitted, and — for Llama 3 RoPE scaling —
 * the derived `rope_freqs.weight`.
 * @param splits split into this many files (`-00001-of-0000N.gguf`); default 1
 * @returns files keyed by name, the GGUF parameter count and the tensor data bytes
 */
export function ggufFromConfig(
  config: Record<string, unknown>,
  baseName: string,
  splits = 1,
): { files: Record<string, VirtualFile>; parameters: number; dataBytes: number } {
  const arch = normalizeConfig(config).architecture;
  const name = GGUF_ARCH[arch.family] ?? arch.family;
  const tensors = synthesizeTensors(arch).filter((t) => !t.mtp && t.shape.every((d) => d > 0));
  const specs: GgufTensorSpec[] = tensors.map((t) => ({
    name: ggufNameFor(t),
    ne: [...t.shape].reverse(),
    type: typeFor(t),
  }));
  const first = arch.layers[0]!;
  const attn = first.attention;
  if (
    (config.rope_scaling as { rope_type?: string } | null)?.rope_type === 'llama3' &&
    attn.kind !== 'linear' &&
    attn.kind !== 'mamba'
  ) {
    specs.push({ name: 'rope_freqs.weight', ne: [attn.headDim / 2], type: ggmlTypeLayout('F32') });
  }
  const kv: GgufKv[] = [
    ['general.architecture', GGUF_VALUE.STRING, name],
    ['general.name', GGUF_VALUE.STRING, baseName],
    ['general.file_type', GGUF_VALUE.UINT32, 15],
    [`${name}.block_count`, GGUF_VALUE.UINT32, arch.layers.length],
    [`${name}.context_length`, GGUF_VALUE.UINT32, arch.maxPositionEmbeddings ?? 4096],
    [`${name}.embedding_length`, GGUF_VALUE.UINT32, arch.hiddenSize],
  ];
  if (attn.kind === 'full' || attn.kind === 'sliding' || attn.kind === 'chunked') {
    kv.push(
      [`${name}.attention.head_count`, GGUF_VALUE.UINT32, attn.numHeads],
      [`${name}.attention.head_count_kv`, GGUF_VALUE.UINT32, attn.numKvHeads],
    );
    kv.push(
      [`${name}.attention.key_length`, GGUF_VALUE.UINT32, attn.headDim],
      [`${name}.attention.value_length`, GGUF_VALUE.UINT32, attn.vHeadDim],
    );
    if (attn.window) kv.push([`${name}.attention.sliding_window`, GGUF_VALUE.UINT32, attn.window]);
  }
  if (attn.kind === 'mamba') {
    // llama.cpp gguf-py constants.py Keys.SSM.
    kv.push(
      [`${name}.ssm.conv_kernel`, GGUF_VALUE.UINT32, attn.convKernel],
      [`${name}.ssm.inner_size`, GGUF_VALUE.UINT32, attn.intermediateSize],
    );
    kv.push(
      [`${name}.ssm.state_size`, GGUF_VALUE.UINT32, attn.stateSize],
      [`${name}.ssm.time_step_rank`, GGUF_VALUE.UINT32, attn.dtRank],
    );
  }
  const mlp = first.mlp;
  if (mlp.kind === 'dense') {
    if (mlp.intermediateSize > 0) kv.push([`${name}.feed_forward_length`, GGUF_VALUE.UINT32, mlp.intermediateSize]);
  } else {
    kv.push(
      [`${name}.expert_count`, GGUF_VALUE.UINT32, mlp.numExperts],
      [`${name}.expert_used_count`, GGUF_VALUE.UINT32, mlp.topK],
    );
    kv.push(
      [`${name}.feed_forward_length`, GGUF_VALUE.UINT32, mlp.expertIntermediateSize],
      [`${name}.expert_feed_forward_length`, GGUF_VALUE.UINT32, mlp.expertIntermediateSize],
    );
  }
  const files: Record<string, VirtualFile> = {};
  const per = Math.ceil(specs.length / splits);
  let dataBytes = 0;
  for (let s = 0; s < splits; s++) {
    const part = specs.slice(s * per, (s + 1) * per);
    const extra: GgufKv[] =
      splits > 1
        ? [
            ['split.no', GGUF_VALUE.UINT32, s],
            ['split.count', GGUF_VALUE.UINT32, splits],
            ['split.tensors.count', GGUF_VALUE.UINT32, specs.length],
          ]
        : [];
    const file = buildGgufFile(s === 0 ? [...kv, ...extra] : [kv[0]!, ...extra], part);
    const fileName =
      splits > 1
        ? `${baseName}-Q4_K_M-${String(s + 1).padStart(5, '0')}-of-${String(splits).padStart(5, '0')}.gguf`
        : `${baseName}-Q4_K_M.gguf`;
    files[fileName] = { head: file.head, size: file.size };
    dataBytes += file.tensorBytes;
  }
  const parameters = countParameters(tensors, arch).total;
  return { files, parameters, dataBytes };
}
