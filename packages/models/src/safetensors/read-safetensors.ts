import { excerpt, INPUT_LIMITS, type Tensor, tensorElements } from '@vramkit/core';
import { ModelParseError } from '../hub/errors.js';
import type { HubClient } from '../hub/hub-client.js';
import { assertRepoFilePath } from '../hub/repo-id.js';
import { parseJsonObject } from '../hub/safe-json.js';
import { parseSafetensorsHeader, type SafetensorsHeader, safetensorsHeaderLength } from './parse-header.js';
import { classifyTensor, isNonTextTensor } from './tensor-roles.js';

/** The tensors of a checkpoint, read from its safetensors headers. */
export interface SafetensorsInventory {
  /** Every tensor, in file order, with role, layer and stored dtype. */
  tensors: Tensor[];
  /** Per file: header size and declared data size. */
  files: { file: string; headerBytes: number; dataBytes: number; tensors: number }[];
  /** Elements per stored dtype (the Hub's `safetensors.parameters`). */
  byDtype: Record<string, number>;
  /** Elements of every tensor. */
  total: number;
  /** Elements of vision/audio towers and projectors of a multimodal checkpoint. */
  nonText: number;
}

/**
 * Which safetensors files hold the checkpoint, from the repository's file list.
 * @returns the shard files, or `index` when only an index can tell
 */
export function pickSafetensorsFiles(files: readonly string[]): { files: string[]; index?: string } {
  if (files.includes('model.safetensors')) return { files: ['model.safetensors'] };
  const shards = files.filter((f) => /^model-\d{5,6}-of-\d{5,6}\.safetensors$/.test(f)).sort();
  if (shards.length > 0) return { files: shards };
  if (files.includes('model.safetensors.index.json')) return { files: [], index: 'model.safetensors.index.json' };
  const root = files.filter((f) => !f.includes('/') && f.endsWith('.safetensors')).sort();
  return { files: root };
}

/**
 * Reads one safetensors header with two range requests — the 8-byte length, then exactly the JSON
 * header — so not one byte of tensor data is transferred.
 * @throws ModelParseError for a malformed header; HubFetchError for HTTP failures
 */
export async function readSafetensorsHeader(
  client: HubClient,
  repo: string,
  file: string,
  revision?: string,
): Promise<SafetensorsHeader> {
  const first = await client.fileRange(repo, file, 0, 8, revision);
  const n = safetensorsHeaderLength(first.bytes, file);
  if (first.fileSize !== undefined && 8 + n > first.fileSize)
    throw new ModelParseError(file, `truncated: header declares ${n} bytes but the file has ${first.fileSize}`);
  const rest = await client.fileRange(repo, file, 8, 8 + n, revision);
  if (rest.bytes.byteLength < n)
    throw new ModelParseError(file, `truncated: header declares ${n} bytes, got ${rest.bytes.byteLength}`);
  const bytes = new Uint8Array(8 + n);
  bytes.set(first.bytes.subarray(0, 8));
  bytes.set(rest.bytes.subarray(0, n), 8);
  return parseSafetensorsHeader(bytes, file, first.fileSize, { parseTimeBudgetMs: client.options.parseTimeBudgetMs });
}

/**
 * The exact tensor inventory of a Hub checkpoint from its safetensors headers (range requests only).
 * @param files the repository's file list (from model info)
 * @param options.mtpFrom first MTP layer index (DeepSeek-V3: 61), to flag MTP tensors
 * @param options.concurrency parallel header reads (default 8)
 * @throws ModelParseError when no safetensors file exists or a header is malformed
 */
export async function readSafetensorsInventory(
  client: HubClient,
  repo: string,
  files: readonly string[],
  options: { revision?: string; mtpFrom?: number; concurrency?: number } = {},
): Promise<SafetensorsInventory> {
  let picked = pickSafetensorsFiles(files);
  if (picked.index) {
    const index = parseJsonObject(
      await client.fileBytes(repo, picked.index, options.revision, 64 * 1024 * 1024),
      picked.index,
      { parseTimeBudgetMs: client.options.parseTimeBudgetMs },
    );
    const map = index.weight_map;
    if (!map || typeof map !== 'object') throw new ModelParseError(picked.index, 'no weight_map');
    const shards = [
      ...new Set(Object.values(map as Record<string, unknown>).filter((v): v is string => typeof v === 'string')),
    ];
    if (shards.length > 10_000)
      throw new ModelParseError(picked.index, `${shards.length} shards exceed the limit of 10000`);
    for (const s of shards) assertRepoFilePath(s);
    picked = { files: shards.sort() };
  }
  if (picked.files.length === 0)
    throw new ModelParseError(repo, 'the repository has no .safetensors files; pass a config or a GGUF file instead');
  const headers = new Array<SafetensorsHeader>(picked.files.length);
  let next = 0;
  const worker = async () => {
    while (next < picked.files.length) {
      const i = next++;
      headers[i] = await readSafetensorsHeader(client, repo, picked.files[i]!, options.revision);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, picked.files.length) }, worker));
  return inventoryFromHeaders(
    picked.files.map((file, i) => ({ file, header: headers[i]! })),
    options.mtpFrom,
  );
}

/**
 * Turns parsed headers into a {@link SafetensorsInventory}.
 * @param mtpFrom first MTP layer index, if the architecture has MTP layers
 */
export function inventoryFromHeaders(
  parts: readonly { file: string; header: SafetensorsHeader }[],
  mtpFrom?: number,
): SafetensorsInventory {
  const tensors: Tensor[] = [];
  const byDtype: Record<string, number> = {};
  let total = 0;
  let nonText = 0;
  for (const { file, header } of parts) {
    for (const e of header.entries) {
      const t = classifyTensor(e.name, e.shape, e.dtype, mtpFrom);
      if (t.layer !== undefined && !(t.layer < INPUT_LIMITS.layers.max)) {
        throw new ModelParseError(
          file,
          `tensor ${excerpt(e.name)} names layer ${excerpt(t.layer)}, above the limit of ${INPUT_LIMITS.layers.max} layers (${INPUT_LIMITS.layers.reason})`,
        );
      }
      const n = tensorElements(t);
      tensors.push(t);
      byDtype[e.dtype] = (byDtype[e.dtype] ?? 0) + n;
      total += n;
      if (isNonTextTensor(e.name)) nonText += n;
    }
    if (!Number.isSafeInteger(total))
      throw new ModelParseError(file, 'the headers declare more than 2^53 parameters (corrupt or hostile header)');
  }
  fixPostAttentionNorms(tensors);
  return {
    tensors,
    files: parts.map(({ file, header }) => ({
      file,
      headerBytes: header.headerBytes,
      dataBytes: header.dataBytes,
      tensors: header.entries.length,
    })),
    byDtype,
    total,
    nonText,
  };
}

/**
 * Roles that depend on a tensor's neighbours in the same layer, fixed after every tensor is
 * classified: `post_attention_layernorm` normalizes the MLP input in Llama-style blocks (llama.cpp
 * maps it to FFN_NORM) but the attention output in Gemma 2/3 and OLMo 2, which have a separate
 * `pre_feedforward_layernorm` or no `input_layernorm` (gguf-py/gguf/tensor_mapping.py); and a
 * recurrent mixer's `out_proj` and `norm` are SSM tensors, not attention ones.
 */
function fixPostAttentionNorms(tensors: Tensor[]): void {
  const modules = new Map<number, Set<string>>();
  for (const t of tensors) {
    if (t.layer === undefined || t.module === undefined) continue;
    const set = modules.get(t.layer) ?? new Set<string>();
    set.add(t.module);
    modules.set(t.layer, set);
  }
  for (const t of tensors) {
    if (t.layer === undefined) continue;
    const m = modules.get(t.layer);
    if (t.role === 'post_attention_norm' && m?.has('input_layernorm') && !m.has('pre_feedforward_layernorm'))
      t.role = 'ffn_norm';
    // A linear-attention or SSM mixer stored under `self_attn` (as core synthesizes Qwen3-Next) owns its out_proj and norm.
    if (m?.has('in_proj_qkvz') || m?.has('A_log')) {
      if (t.module === 'out_proj' && t.role === 'attn_output') t.role = 'ssm_out';
      else if (
        t.module === 'norm' &&
        t.role === 'attn_norm' &&
        /\.(self_attn|mixer|linear_attn|mamba)\.norm\./.test(t.name)
      )
        t.role = 'ssm_norm';
    }
  }
}
