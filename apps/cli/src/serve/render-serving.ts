import { engineProfile, formatCount, GIB, type ServingEstimate, type ServingOptions } from '@vramkit/core';
import { inCliTerms } from '../flag-paths.js';
import { table } from '../render.js';

const gib = (b: number) => (b / GIB).toFixed(2);

/**
 * A serving estimate as text: one row per GPU (weights, KV, compute, overhead, total, capacity), the
 * host RAM for llama.cpp, the engine figures and the assumptions.
 */
export function renderServing(name: string, o: ServingOptions, e: ServingEstimate): string {
  const draft = e.speculative !== undefined;
  const rows: string[][] = [
    ['GPU', 'weights', 'KV cache', 'compute', 'overhead', ...(draft ? ['draft'] : []), 'total', 'capacity', 'fits'],
  ];
  for (const g of e.gpus) {
    const verdict = e.binding === 'no-gpu' ? '?' : g.fits ? 'yes' : g.tight ? 'tight' : 'NO';
    rows.push([
      g.name,
      gib(g.bytes.weights),
      gib(g.bytes.kvCache),
      gib(g.bytes.activations),
      gib(g.bytes.overhead),
      ...(draft ? [gib(g.draftBytes ?? 0)] : []),
      gib(g.bytes.total),
      e.binding === 'no-gpu' ? '—' : gib(g.capacityBytes),
      verdict,
    ]);
  }
  if (e.engine.hostBytes !== undefined && 'devices' in e.breakdown) {
    const h = e.breakdown.host.parts;
    rows.push([
      'host RAM',
      gib(h.weights?.bytes ?? 0),
      gib(h.kvCache?.bytes ?? 0),
      gib((h.activations?.bytes ?? 0) + (h.output?.bytes ?? 0)),
      '',
      ...(draft ? [gib(h.draft?.bytes ?? 0)] : []),
      gib(e.engine.hostBytes),
      '',
      '',
    ]);
  }
  const shape = engineProfile(o.engine).workloadLabel(e.context, e.batch);
  const lines = [
    `${name} on ${e.engine.name}${o.format ? ` · weights ${o.format.id}` : ''} · ${shape}`,
    '',
    `${table(
      rows,
      rows[0]!.map((_, i) => i > 0 && i < rows[0]!.length - 1),
    )}`,
    '(GiB)',
    '',
  ];
  const f = e.engine;
  const kv = `KV budget ${gib(f.kvBudgetBytes)} GiB per GPU = ${formatCount(f.kvTokens)} tokens${f.concurrencyFactor !== undefined ? ` · maximum concurrency for ${formatCount(e.context)} tokens per request: ${f.concurrencyFactor.toFixed(2)}x` : ''}`;
  // Without a capacity there is no budget: the figures derived from one would read as zero tokens.
  lines.push(
    e.binding === 'no-gpu'
      ? 'KV budget, max concurrency and max context: need a GPU capacity (--gpu <id> or --gpu-memory <size>)'
      : `${kv} · max concurrency at ${formatCount(e.context)}: ${f.maxConcurrency} · max context at batch 1: ${formatCount(f.maxContext)}`,
  );
  if (f.gpuLayers !== undefined && 'devices' in e.breakdown) {
    const total = ('layers' in o.model ? o.model.layers.length : o.model.arch.layers.length) + 1;
    lines.push(
      `-ngl ${f.gpuLayers}${total ? `/${total}` : ''} layers on the GPU · ${gib(f.hostBytes ?? 0)} GiB stays in CPU RAM`,
    );
  }
  const t = e.throughput;
  if (t)
    lines.push(
      `decode ≈ ${t.decodeTokensPerSecond.toFixed(1)} tok/s${t.prefillTokensPerSecond ? ` · prefill ≈ ${formatCount(t.prefillTokensPerSecond)} tok/s` : ''} (model: ${t.note})`,
    );
  const s = e.speculative;
  if (s) {
    const r = s.drafting;
    const where = [
      s.gpuLayers !== undefined ? `-ngld ${s.gpuLayers}` : '',
      s.context !== undefined ? `one draft context of ${formatCount(s.context)} cells` : '',
    ].filter(Boolean);
    const stop = r.pMin > 0 || r.minTokens > 0 ? ` · p_min ${r.pMin} · n_min ${r.minTokens} · β ${r.passRate}` : '';
    lines.push(
      `speculative decoding (${s.method}): +${gib(s.bytes)} GiB on the most loaded GPU${where.length ? ` · ${where.join(' · ')}` : ''} · γ ${s.draftTokens}${stop} · α ${s.acceptanceRate}`,
    );
    if (s.speedup !== undefined && s.decodeTokensPerSecond !== undefined)
      lines.push(
        `decode with the draft ≈ ${s.decodeTokensPerSecond.toFixed(1)} tok/s (× ${s.speedup.toFixed(2)}, ${s.draftedTokens!.toFixed(2)} drafted, ${s.tokensPerStep!.toFixed(2)} tokens per target step; model: ${s.note})`,
      );
  }
  const tight = e.gpus.some((g) => g.tight);
  if (e.refusal) lines.push(e.refusal);
  if (e.binding === 'no-gpu')
    lines.push(
      `fits: unknown — no --gpu given; one GPU needs ${gib(Math.max(...e.gpus.map((g) => g.bytes.total)))} GiB with every layer on it (pass --gpu <id> or --gpu-memory <size>)`,
    );
  else
    lines.push(
      e.fits
        ? 'fits: yes'
        : tight
          ? 'fits: tight — under the capacity but inside the margin (--fit-margin, default 1GiB)'
          : `fits: NO — limited by ${e.binding}`,
    );
  for (const a of e.assumptions) lines.push(`note: ${inCliTerms(a)}`);
  return `${lines.join('\n')}\n`;
}
