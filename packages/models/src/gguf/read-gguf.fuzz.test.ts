import { appendFileSync } from 'node:fs';
import { ggmlTypeLayout, VramkitError } from '@vramkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubClient } from '../hub/hub-client.js';
import { buildGgufFile, GGUF_VALUE, type GgufKv, type GgufTensorSpec } from '../testing/gguf-writer.js';
import { normalizeGgufConfig } from './gguf-config.js';
import { readGgufHeader } from './read-gguf.js';

// Mutation fuzzers over GGUF headers read by HTTP range requests through the Hub transport (issue #15):
// hostile metadata values (block_count 2^64 − 1, widths 1e9, negative counts), tensor names, dims and
// type ids, and byte flips and cuts. Fixed seed and run count in CI; VRAMKIT_FUZZ_RUNS /
// VRAMKIT_FUZZ_SEED for long runs, VRAMKIT_FUZZ_REPORT=<file> records counts.
const RUNS = Number(process.env.VRAMKIT_FUZZ_RUNS ?? 80);
const SEED = Number(process.env.VRAMKIT_FUZZ_SEED ?? 15);
function record(parser: string, accepted: number, refused: number): void {
  const file = process.env.VRAMKIT_FUZZ_REPORT;
  if (file)
    appendFileSync(file, `${JSON.stringify({ parser, runs: accepted + refused, seed: SEED, accepted, refused })}\n`);
}

let current: { bytes: Uint8Array; size: number } = { bytes: new Uint8Array(0), size: 0 };
/**
 * The range server in process (no socket, so a long run costs microseconds per request): the Hub's
 * answers to the header reads of `@huggingface/gguf`, through the real HubTransport (retries, byte
 * bounds, Content-Range sizing). Loopback HTTP itself is tested in hub/network-faults.test.ts.
 */
const rangeFetch: typeof fetch = async (_input, init) => {
  const { bytes, size } = current;
  const range = new Headers(init?.headers).get('range') ?? '';
  const m = /bytes=(\d+)-(\d*)/.exec(range);
  const start = m ? Number(m[1]) : 0;
  // A server may answer a range with fewer bytes than asked (RFC 9110 §14.4): past the recorded head
  // it sends 4 KiB at most, so each input costs kilobytes, not the parser's 2 MB chunk.
  const end = Math.min(size, m?.[2] ? Number(m[2]) + 1 : size, Math.max(start, bytes.byteLength) + 4096);
  if (start >= size) return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  // Bytes past the recorded head are zeros, as a sparse tensor-data region would be.
  const body = new Uint8Array(Math.max(0, end - start));
  body.set(bytes.subarray(start, Math.min(end, bytes.byteLength)));
  return new Response(body, {
    status: m ? 206 : 200,
    headers: {
      'Content-Length': String(body.byteLength),
      ...(m ? { 'Content-Range': `bytes ${start}-${end - 1}/${size}` } : {}),
    },
  });
};
const url = 'http://127.0.0.1/f.gguf';

// A fresh client per input: one transport's load deadline (55 s) would otherwise end a long run in
// HUB_TIMEOUT for every input after the first minute.
const newClient = () =>
  new HubClient({ endpoint: 'http://127.0.0.1', retries: 0, timeoutMs: 5000, env: {}, fetch: rangeFetch });
const F32 = ggmlTypeLayout('F32');
const Q8 = ggmlTypeLayout('Q8_0');

async function check(bytes: Uint8Array, size: number): Promise<boolean> {
  current = { bytes, size };
  try {
    const inv = await readGgufHeader(
      url,
      newClient().transport.fetchFor('gguf-header', undefined, 'f.gguf', 2_000_000),
      'f.gguf',
    );
    expect(Number.isSafeInteger(inv.parameters) && Number.isSafeInteger(inv.dataBytes)).toBe(true);
    const n = normalizeGgufConfig(inv);
    expect(n.architecture.layers.length).toBeLessThanOrEqual(10_000);
    return true;
  } catch (e) {
    if (!VramkitError.isInstance(e)) throw e;
    expect(e.message.length).toBeLessThan(2000);
    // A refusal is the parser's (or a 416 for an empty file), never a timeout that would hide the input.
    expect(e.code, e.message).not.toBe('HUB_TIMEOUT');
    return false;
  }
}

const count = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 4n, 7n, 64n, 1_000_000_000n, 2n ** 32n, 2n ** 53n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

describe(`GGUF headers under mutation (${RUNS} inputs per fuzzer, seed ${SEED})`, () => {
  it('hostile metadata and tensor infos end in a typed error or a bounded inventory', {
    timeout: Math.max(30_000, RUNS * 100),
  }, async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ blocks: count, width: count, heads: count, ffn: count, ctx: count }),
        fc.array(
          fc.record({
            name: fc.oneof(
              fc.constantFrom(
                'token_embd.weight',
                'blk.0.attn_q.weight',
                'blk.999999999.attn_q.weight',
                `blk.${'9'.repeat(300)}.ffn_up.weight`,
                '__proto__',
                'output.weight',
              ),
              fc.string({ maxLength: 24 }),
            ),
            ne: fc.array(fc.oneof(fc.constantFrom(1, 32, 64, 2 ** 31, 2 ** 40), fc.integer({ min: 0, max: 4096 })), {
              minLength: 1,
              maxLength: 4,
            }),
            q8: fc.boolean(),
          }),
          { maxLength: 6 },
        ),
        async (meta, tensors) => {
          const kvs: GgufKv[] = [
            ['general.architecture', GGUF_VALUE.STRING, 'llama'],
            ['llama.block_count', GGUF_VALUE.UINT64, meta.blocks],
            ['llama.embedding_length', GGUF_VALUE.UINT64, meta.width],
            ['llama.attention.head_count', GGUF_VALUE.UINT64, meta.heads],
            ['llama.feed_forward_length', GGUF_VALUE.UINT64, meta.ffn],
            ['llama.context_length', GGUF_VALUE.UINT64, meta.ctx],
          ];
          // The writer needs whole blocks; a Q8_0 tensor gets a first dimension of 32.
          const specs: GgufTensorSpec[] = tensors.map((t) => ({
            name: t.name,
            ne: t.q8 ? [32, ...t.ne.slice(1)] : t.ne,
            type: t.q8 ? Q8 : F32,
          }));
          let file: ReturnType<typeof buildGgufFile>;
          try {
            file = buildGgufFile(kvs, specs);
          } catch {
            return; // dims the writer itself cannot lay out
          }
          if (await check(file.head, Math.min(file.size, 2 ** 50))) accepted++;
          else refused++;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(accepted + refused).toBeGreaterThan(RUNS / 2);
    record('GGUF header (fields)', accepted, refused);
  });

  it('byte flips and cuts of a valid header end in a typed error or a bounded inventory', {
    timeout: Math.max(30_000, RUNS * 100),
  }, async () => {
    const valid = buildGgufFile(
      [
        ['general.architecture', GGUF_VALUE.STRING, 'llama'],
        ['llama.block_count', GGUF_VALUE.UINT32, 2],
        ['llama.embedding_length', GGUF_VALUE.UINT32, 64],
        ['llama.attention.head_count', GGUF_VALUE.UINT32, 4],
        ['llama.feed_forward_length', GGUF_VALUE.UINT32, 128],
      ],
      [
        { name: 'token_embd.weight', ne: [64, 100], type: F32 },
        { name: 'blk.0.attn_q.weight', ne: [64, 64], type: Q8 },
        { name: 'blk.1.ffn_up.weight', ne: [64, 128], type: Q8 },
      ],
    );
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), fc.record({ cut: fc.nat() })),
          { minLength: 0, maxLength: 3 },
        ),
        fc.boolean(),
        async (edits, truncateFile) => {
          let bytes = valid.head.slice();
          for (const e of edits) {
            if ('cut' in e) bytes = bytes.slice(0, e.cut % (bytes.byteLength + 1));
            else if (bytes.byteLength > 0) bytes[e.at % bytes.byteLength] = e.byte;
          }
          if (await check(bytes, truncateFile ? bytes.byteLength : valid.size)) accepted++;
          else refused++;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(accepted + refused).toBe(RUNS);
    record('GGUF header (bytes)', accepted, refused);
  });
});
