import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HarnessModel, writeSparseGguf } from './sparse-gguf.js';

/** One context the harness creates: llama.cpp's own parameters (llama_context_params). */
export interface HarnessRun {
  /** n_ctx: total cells requested. */
  nCtx: number;
  /** n_seq_max (`-np`). */
  nSeqMax: number;
  /** n_batch = n_ubatch (node-llama-cpp's addon sets both from batchSize). */
  nUbatch: number;
  flashAttn: 'on' | 'off' | 'auto';
  typeK: string;
  typeV: string;
}

/** The buffer sizes llama.cpp logged for one context (MiB as printed, two decimals), or its refusal. */
export interface HarnessRecord {
  run: HarnessRun;
  /** The context's resolved n_ctx / n_ctx_seq and whether flash attention ended up on. */
  nCtx?: number;
  nCtxSeq?: number;
  flashAttn?: boolean;
  /** `llama_kv_cache: CPU KV buffer size` lines, one per cache (the SWA cache of an iSWA model second). */
  kv?: { mib: string; cells: number; layers: number; seqs: number; kMib: string; vMib: string }[];
  /** `llama_memory_recurrent` state of a hybrid model (conv state R, recurrent state S). */
  rs?: { mib: string; cells: number; layers: number; seqs: number; rMib: string; sMib: string };
  computeMib?: Record<string, string>;
  outputMib?: Record<string, string>;
  error?: string;
}

/** What a model load reported. */
export interface HarnessLoad {
  modelMib: Record<string, string>;
  swaDisabled: boolean;
  records: HarnessRecord[];
}

// ggml_type ids (ggml/include/ggml.h enum ggml_type).
const GGML_ID: Record<string, number> = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q4_1: 3,
  q5_0: 6,
  q5_1: 7,
  q8_0: 8,
  iq4_nl: 20,
  bf16: 30,
};

/** node-llama-cpp's version and the llama.cpp release its binaries were built from. */
export function runtimeVersion(): { nodeLlamaCpp: string; llamaCpp: string } {
  // The package's exports hide package.json: read it beside the resolved entry point (dist/index.js).
  const base = dirname(dirname(createRequire(import.meta.url).resolve('node-llama-cpp')));
  const pkg = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')) as { version: string };
  const info = JSON.parse(readFileSync(join(base, 'llama/llama.cpp.info.json'), 'utf8')) as {
    tag: string;
    llamaCppGithubRepo: string;
  };
  return { nodeLlamaCpp: pkg.version, llamaCpp: `${info.llamaCppGithubRepo}@${info.tag}` };
}

// biome-ignore lint/suspicious/noExplicitAny: node-llama-cpp's addon is untyped
type Any = any;

/**
 * Model buffers of the CPU's extra buffer types, which hold repacked copies of some weights: which exist
 * depends on the host CPU's instruction set (AMX tiles, AVX-512 repacking), not on the model
 * (ggml/src/ggml-cpu extra buffer types, used when llama_model_params.use_extra_bufts is on).
 */
export const HOST_ISA_BUFFERS: ReadonlySet<string> = new Set(['AMX', 'CPU_REPACK']);

/** Whether this host's CPU has AMX tiles (Linux /proc/cpuinfo flag `amx_tile`). */
export function hostHasAmx(): boolean {
  try {
    return /\bamx_tile\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

let llamaPromise: Promise<{ llama: Any; lines: string[] }> | undefined;

/** The CPU build of node-llama-cpp, loaded once, with every log line collected. */
export function loadRuntime(): Promise<{ llama: Any; lines: string[] }> {
  llamaPromise ??= (async () => {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const lines: string[] = [];
    const llama = await getLlama({
      gpu: false,
      build: 'never',
      logLevel: LlamaLogLevel.debug,
      logger: (_level: unknown, message: string) => {
        lines.push(...message.split('\n'));
      },
    });
    return { llama, lines };
  })();
  return llamaPromise;
}

// The addon forwards log lines through a thread-safe callback, later than the call that printed them:
// wait until no line has arrived for a few polls.
async function settle(lines: readonly string[]): Promise<void> {
  let quiet = 0;
  let seen = lines.length;
  while (quiet < 5) {
    await new Promise((r) => setTimeout(r, 20));
    if (lines.length === seen) quiet++;
    else {
      seen = lines.length;
      quiet = 0;
    }
  }
}

const num = (s: string | undefined): number => Number(s);

/** Parses the llama.cpp log lines of one context creation. */
export function parseContextLog(lines: readonly string[], run: HarnessRun): HarnessRecord {
  const rec: HarnessRecord = { run };
  for (const l of lines) {
    let m = /llama_context: n_ctx\s+= (\d+)/.exec(l);
    if (m) rec.nCtx = num(m[1]);
    m = /llama_context: n_ctx_seq\s+= (\d+)/.exec(l);
    if (m) rec.nCtxSeq = num(m[1]);
    m = /llama_context: flash_attn\s+= (\w+)/.exec(l);
    if (m) rec.flashAttn = m[1] === 'enabled' || m[1] === '1' || m[1] === 'true';
    m = /Flash Attention (enabled|disabled)/.exec(l);
    if (m) rec.flashAttn = m[1] === 'enabled';
    m =
      /llama_kv_cache: size = +([\d.]+) MiB \( *(\d+) cells, +(\d+) layers, +(\d+)\/(\d+) seqs\), K \(\w+\): +([\d.]+) MiB, V \(\w+\): +([\d.]+) MiB/.exec(
        l,
      );
    if (m) {
      rec.kv ??= [];
      rec.kv.push({ mib: m[1]!, cells: num(m[2]), layers: num(m[3]), seqs: num(m[5]), kMib: m[6]!, vMib: m[7]! });
    }
    // A hybrid model's recurrent state (src/llama-memory-recurrent.cpp), recorded beside the KV caches.
    m =
      /llama_memory_recurrent: size = +([\d.]+) MiB \( *(\d+) cells, +(\d+) layers, +(\d+) seqs +\d+ rs_seq\), R \(\w+\): +([\d.]+) MiB, S \(\w+\): +([\d.]+) MiB/.exec(
        l,
      );
    if (m) rec.rs = { mib: m[1]!, cells: num(m[2]), layers: num(m[3]), seqs: num(m[4]), rMib: m[5]!, sMib: m[6]! };
    // Printed when the context is freed (4 decimals), and at creation by older builds (2 decimals).
    m = /llama_context: +(\S+) compute buffer size is +([\d.]+) MiB/.exec(l);
    if (m) rec.computeMib = { ...rec.computeMib, [m[1]!]: m[2]! };
    m = /llama_context: +(\S+) +output buffer size = +([\d.]+) MiB/.exec(l);
    if (m) rec.outputMib = { ...rec.outputMib, [m[1]!]: m[2]! };
  }
  return rec;
}

/**
 * Writes `model` as a sparse GGUF, loads it with mmap on the CPU (no warm-up: contexts are created
 * through node-llama-cpp's addon, which runs none), creates one context per run and records what
 * llama.cpp logged. A context llama.cpp refuses is recorded with its error.
 */
export async function measure(model: HarnessModel, runs: readonly HarnessRun[]): Promise<HarnessLoad> {
  const { llama, lines } = await loadRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'vramkit-llama-'));
  const path = join(dir, `${model.ggufArchitecture}.gguf`);
  try {
    writeSparseGguf(path, model);
    const start = lines.length;
    let m: Any;
    try {
      m = await llama.loadModel({ modelPath: path, gpuLayers: 0, useMmap: true, checkTensors: false });
    } catch (e) {
      await settle(lines);
      const reason = lines.slice(start).filter((l) => /error|failed|exception/i.test(l));
      throw new Error(`${e instanceof Error ? e.message : String(e)}: ${reason.join(' | ')}`);
    }
    await settle(lines);
    const loadLines = lines.slice(start);
    const modelMib: Record<string, string> = {};
    for (const l of loadLines) {
      const r = /load_tensors: +(\S+) model buffer size = +([\d.]+) MiB/.exec(l);
      if (r) modelMib[r[1]!] = r[2]!;
    }
    const swaDisabled = loadLines.some((l) => /SWA is currently disabled/i.test(l));
    const records: HarnessRecord[] = [];
    try {
      for (const run of runs) {
        const from = lines.length;
        const ctx = new llama._bindings.AddonContext(m._model, {
          contextSize: run.nCtx,
          batchSize: run.nUbatch,
          sequences: run.nSeqMax,
          flashAttention: run.flashAttn === 'auto' ? 'auto' : run.flashAttn === 'on',
          threads: 1,
          kvCacheKeyType: GGML_ID[run.typeK],
          kvCacheValueType: GGML_ID[run.typeV],
        });
        let error: string | undefined;
        try {
          const ok = await ctx.init();
          if (!ok) error = 'context creation failed';
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        await ctx.dispose();
        await settle(lines);
        const rec = parseContextLog(lines.slice(from), run);
        if (error) {
          const reason = lines.slice(from).find((l) => /error|failed|not supported|does not support|requires/i.test(l));
          rec.error = reason ? reason.replace(/^\S+: /, '').trim() : error;
          delete rec.kv;
          delete rec.rs;
          delete rec.computeMib;
          delete rec.outputMib;
        }
        records.push(rec);
      }
    } finally {
      await m.dispose();
    }
    return { modelMib, swaDisabled, records };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
