import { gguf } from '@huggingface/gguf';
import {
  excerpt,
  findGgmlType,
  ggmlTensorBytes,
  INPUT_LIMITS,
  type ParseClock,
  parseClock,
  type Tensor,
  tensorElements,
  VramkitError,
} from '@vramkit/core';
import { ModelParseError } from '../hub/errors.js';
import { ggufFileTypeName } from './gguf-file-type.js';
import { ggufTensor, isGgufDerivedTensor } from './gguf-tensors.js';

/** ggml_nbytes of a tensor with ggml dimensions `ne` (ne[0] is the row), or undefined when a row is not whole blocks. */
function ggufTensorDataBytes(type: string, ne: readonly number[]): number | undefined {
  try {
    return ggmlTensorBytes(type, [...ne].reverse());
  } catch (e) {
    if (VramkitError.isInstance(e)) return undefined;
    throw e;
  }
}

/** Metadata scalars of a GGUF header (arrays other than short ones are dropped, bigints become numbers). */
export type GgufMetadata = Record<string, string | number | boolean | readonly (string | number | boolean)[]>;

/** What a GGUF header says: tensors with exact ggml types and bytes, and the model's hyper-parameters. */
export interface GgufInventory {
  file: string;
  /** `general.architecture` (`llama`, `qwen3moe`, `gemma3`, …). */
  architecture: string;
  /** llama.cpp file type from `general.file_type`, e.g. `Q4_K_M`. */
  fileType?: string;
  tensors: Tensor[];
  /** Bytes of each tensor in its ggml type, summed: the tensor data size. */
  dataBytes: number;
  /** Bytes of each tensor, in `tensors` order. */
  tensorBytes: number[];
  /** Elements of every tensor except converter-derived ones (`rope_freqs`). */
  parameters: number;
  /** Vocabulary size: length of `tokenizer.ggml.tokens` when present. */
  vocabSize?: number;
  metadata: GgufMetadata;
  /** Split files: this file's index and the count (`split.no`, `split.count`). */
  split?: { no: number; count: number };
}

// Tokenizer arrays hold 100k+ strings; keep only their length.
const KEEP_ARRAY_MAX = 4096;

/**
 * Reads a GGUF header over HTTP range requests with @huggingface/gguf (which bounds array lengths,
 * tensor counts and total bytes read) and converts it into core tensors.
 * @param url `resolve` URL of the file (or a local path with `allowLocalFile` in Node)
 * @param fetchFn the fetch to use (a HubTransport's, for counting, timeouts and retries)
 * @param file display name for errors
 * @param options.fileSize the file's size in bytes, when known without a request (a local file)
 * @param options.parseTimeBudgetMs wall-clock budget of the parse (default core's `PARSE_TIME_BUDGET_MS`,
 *   10 s; time waiting on range reads is left out, the transport bounds it), checked before each range
 *   read and every tensor
 * @throws ModelParseError for a malformed, truncated or hostile header, HubFetchError for HTTP failures,
 *   ParseTimeBudgetError past the budget
 */
export async function readGgufHeader(
  url: string,
  fetchFn: typeof fetch | undefined,
  file: string,
  options: { allowLocalFile?: boolean; fileSize?: number; parseTimeBudgetMs?: number } = {},
): Promise<GgufInventory> {
  const clock = parseClock('GGUF header', options.parseTimeBudgetMs, { file });
  clock.check();
  let parsed: Awaited<ReturnType<typeof gguf>>;
  // The parser pads short reads with zeros, so a truncated file parses into garbage; the file size
  // (from Content-Range, or given for a local file) lets us reject headers and tensors that reach past the end.
  let fileSize: number | undefined = options.fileSize;
  const sizing: typeof fetch | undefined = fetchFn
    ? async (input, init) => {
        clock.check();
        // Waiting on the network is bounded by the transport (timeoutMs, totalTimeoutMs), not this budget.
        const sent = performance.now();
        const res = await fetchFn(input, init);
        clock.exclude(performance.now() - sent);
        const total = res.headers.get('content-range')?.match(/\/\s*(\d+)\s*$/)?.[1];
        if (total) fileSize = Number(total);
        else if (res.status === 200) fileSize = Number(res.headers.get('content-length') ?? Number.NaN) || undefined;
        return res;
      }
    : undefined;
  try {
    parsed = await gguf(url, {
      ...(sizing ? { fetch: sizing } : {}),
      ...(options.allowLocalFile ? { allowLocalFile: true } : {}),
    });
  } catch (e) {
    if (VramkitError.isInstance(e)) throw e;
    throw new ModelParseError(file, `not a readable GGUF header (${e instanceof Error ? e.message : String(e)})`, {
      cause: e,
    });
  }
  const dataStart = Number(parsed.tensorDataOffset);
  if (fileSize !== undefined && dataStart > fileSize)
    throw new ModelParseError(file, `truncated: the header ends at byte ${dataStart} but the file has ${fileSize}`);
  clock.check();
  const inv = ggufInventoryFrom(parsed as unknown as Parameters<typeof ggufInventoryFrom>[0], file, clock);
  if (fileSize !== undefined) {
    const end = parsed.tensorInfos.reduce(
      (max, t, i) => Math.max(max, Number(t.offset) + (inv.tensorBytes[i] ?? 0)),
      0,
    );
    if (dataStart + end > fileSize)
      throw new ModelParseError(
        file,
        `truncated: tensor data needs ${dataStart + end} bytes but the file has ${fileSize}`,
      );
  }
  return inv;
}

/**
 * Converts a parsed GGUF header (from `@huggingface/gguf`) into a {@link GgufInventory}.
 * @param clock the parse's wall-clock budget (default: a fresh {@link parseClock} of 10 s)
 * @throws ModelParseError for unknown ggml types or shapes that are not whole blocks; ParseTimeBudgetError past the budget
 */
export function ggufInventoryFrom(
  parsed: {
    metadata: Record<string, unknown>;
    tensorInfos: readonly { name: string; shape: readonly bigint[]; dtype: number }[];
  },
  file: string,
  clock: ParseClock = parseClock('GGUF header', undefined, { file }),
): GgufInventory {
  const metadata: GgufMetadata = {};
  let vocabSize: number | undefined;
  for (const [k, v] of Object.entries(parsed.metadata)) {
    if (k === '__proto__') continue;
    if (Array.isArray(v)) {
      if (k === 'tokenizer.ggml.tokens') vocabSize = v.length;
      if (v.length <= KEEP_ARRAY_MAX)
        metadata[k] = v.map((x) => (typeof x === 'bigint' ? Number(x) : x)) as (string | number | boolean)[];
    } else if (typeof v === 'bigint') metadata[k] = Number(v);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') metadata[k] = v;
  }
  const architecture =
    typeof metadata['general.architecture'] === 'string' ? metadata['general.architecture'] : undefined;
  if (!architecture) throw new ModelParseError(file, 'GGUF header has no general.architecture');
  const tensors: Tensor[] = [];
  const tensorBytes: number[] = [];
  let dataBytes = 0;
  let parameters = 0;
  for (const info of parsed.tensorInfos) {
    clock.check();
    if (info.name.length === 0) throw new ModelParseError(file, 'a tensor has an empty name (corrupt header)');
    const type = findGgmlType(info.dtype);
    if (!type)
      throw new ModelParseError(
        file,
        `tensor ${excerpt(info.name)} has ggml type ${excerpt(info.dtype)}, which this version does not know`,
      );
    const ne = info.shape.map((d) => Number(d));
    const t = ggufTensor(info.name, ne, type.id);
    if (t.layer !== undefined && !(t.layer < INPUT_LIMITS.layers.max)) {
      throw new ModelParseError(
        file,
        `tensor ${excerpt(info.name)} names layer ${excerpt(t.layer)}, above the limit of ${INPUT_LIMITS.layers.max} layers (${INPUT_LIMITS.layers.reason})`,
      );
    }
    const n = tensorElements(t);
    if (!Number.isSafeInteger(n))
      throw new ModelParseError(
        file,
        `tensor ${excerpt(info.name)}: shape ${excerpt(ne.join('×'))} has more than 2^53 elements`,
      );
    const bytes = ggufTensorDataBytes(type.id, ne);
    if (bytes === undefined || !Number.isSafeInteger(bytes))
      throw new ModelParseError(
        file,
        `tensor ${excerpt(info.name)}: ${n} elements are not whole ${type.id} blocks of ${type.blockElements}`,
      );
    dataBytes += bytes;
    if (!Number.isSafeInteger(dataBytes))
      throw new ModelParseError(
        file,
        `tensor data exceeds 2^53 bytes at tensor ${excerpt(info.name)} (corrupt header)`,
      );
    tensorBytes.push(bytes);
    if (!isGgufDerivedTensor(info.name)) parameters += n;
    tensors.push(t);
  }
  const fileType = ggufFileTypeName(metadata['general.file_type']);
  const splitNo = metadata['split.no'];
  const splitCount = metadata['split.count'];
  return {
    file,
    architecture,
    ...(fileType ? { fileType } : {}),
    tensors,
    dataBytes,
    tensorBytes,
    parameters,
    ...(vocabSize !== undefined ? { vocabSize } : {}),
    metadata,
    ...(typeof splitNo === 'number' && typeof splitCount === 'number'
      ? { split: { no: splitNo, count: splitCount } }
      : {}),
  };
}

/** Merges the inventories of split GGUF files (`-00001-of-0000N`) into one: tensors concatenated, sizes summed. */
export function mergeGgufInventories(parts: readonly GgufInventory[]): GgufInventory {
  const first = parts[0];
  if (!first) throw new ModelParseError('gguf', 'no GGUF files to merge');
  return {
    ...first,
    file: parts.map((p) => p.file).join(' + '),
    tensors: parts.flatMap((p) => p.tensors),
    tensorBytes: parts.flatMap((p) => p.tensorBytes),
    dataBytes: parts.reduce((s, p) => s + p.dataBytes, 0),
    parameters: parts.reduce((s, p) => s + p.parameters, 0),
  };
}
