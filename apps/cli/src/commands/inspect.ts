import { formatCount, GIB, inFeatures, tensorElements, VramkitError } from '@vramkit/core';
import { listGgufFiles } from '@vramkit/models';
import type { Command, CommandArgs, Io } from '../command.js';
import { parseArgsOptions } from '../flag-parse.js';
import { boolFlag, modelPositional, stringFlag } from '../flags.js';
import { chooseFormat, formatSetup } from '../format-setup.js';
import { hubLoadOptions } from '../hub-flags.js';
import { resolveModel } from '../model-argument.js';
import type { InspectOutput } from '../output-schema.js';
import { table } from '../render.js';

const LABELS: Record<string, string> = {
  embedding: 'embedding',
  positions: 'position embedding',
  attention: 'attention (all layers)',
  mlp: 'MLP (all layers)',
  experts: 'routed experts',
  router: 'routers',
  sharedExperts: 'shared experts',
  norms: 'layer norms',
  finalNorm: 'final norm',
  lmHead: 'lm_head',
  mtp: 'MTP layers (checkpoint only)',
};

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'exact parameter count with a breakdown, and the tensor inventory',
  help: `Usage: vramkit inspect <model> [options]

Prints the exact parameter count with a breakdown. With --tensors, every tensor with its shape and,
where a format is known (--quant, a GGUF file's own types, the checkpoint's quantization_config), the
storage type and bytes it chooses for each tensor; --quant and GGUF files list the tensors by themselves.
`,
  options: parseArgsOptions('inspect'),
  maxPositionals: 1,
  async run(args, io) {
    const argument = modelPositional(args, 'inspect');
    let model: Awaited<ReturnType<typeof resolveModel>>;
    try {
      model = await resolveModel(argument, args, io);
    } catch (e) {
      // A GGUF repository holds many models: without --quant/--file, list them rather than fail.
      if (VramkitError.isInstance(e) && e.path === 'quant' && /GGUF models; pick one/.test(e.message))
        return listGgufRepo(argument, args, io);
      throw e;
    }
    const prepared = model.model;
    const { arch, tensors, parameters: p } = prepared;
    // A GGUF header already says each tensor's type; otherwise --quant (or the checkpoint's quantization_config) predicts it.
    const format = chooseFormat(await formatSetup(args, io), prepared, stringFlag(args.values, 'quant')).format;
    const ctx = { arch, numLayers: arch.layers.length };
    const listed =
      boolFlag(args.values, 'tensors') || stringFlag(args.values, 'quant') !== undefined || prepared.source === 'gguf';
    const rows = listed
      ? tensors.map((t) => {
          const chosen = format?.bytesForTensor(t, ctx);
          return {
            name: t.name,
            role: t.role,
            shape: [...t.shape],
            elements: tensorElements(t),
            ...(chosen ? { type: chosen.type, bytes: chosen.bytes } : {}),
          };
        })
      : undefined;
    if (boolFlag(args.values, 'json')) {
      const out: InspectOutput = {
        schema: 'vramkit/inspect@1',
        model: {
          argument: model.argument,
          name: model.name,
          source: model.source,
          family: arch.family,
          layers: arch.layers.length,
        },
        parameters: { total: p.total, active: p.active, checkpointTotal: p.checkpointTotal, breakdown: p.parts },
        architecture: arch as unknown as Record<string, unknown>,
        ...(rows ? { tensors: rows } : {}),
        ...(format ? { format: format.id } : {}),
        warnings: [...model.warnings],
      };
      io.out(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const a0 = arch.layers[0]!.attention;
    const attn =
      a0.kind === 'linear' || a0.kind === 'mamba'
        ? a0.kind
        : a0.mla
          ? `MLA (kv_lora_rank ${a0.mla.kvLoraRank}, rope ${a0.mla.qkRopeHeadDim}), ${a0.numHeads} heads`
          : `${a0.numHeads} heads, ${a0.numKvHeads} KV heads (${a0.numKvHeads === a0.numHeads ? 'MHA' : a0.numKvHeads === 1 ? 'MQA' : 'GQA'}), head_dim ${a0.headDim}`;
    const kinds = new Map<string, number>();
    for (const l of arch.layers) kinds.set(l.attention.kind, (kinds.get(l.attention.kind) ?? 0) + 1);
    const lines = [
      `${model.name}  (${arch.family})`,
      `${arch.layers.length} layers (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}), hidden ${arch.hiddenSize}, vocab ${formatCount(arch.vocabSize)}, ${attn}`,
      `embeddings ${arch.tiedEmbeddings ? 'tied to the output' : 'untied'}${arch.mtpLayers ? `, ${arch.mtpLayers} MTP layer(s)` : ''}`,
      '',
      table(
        [
          ['part', 'parameters', 'share'],
          ...Object.entries(p.parts)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => [
              LABELS[k] ?? k,
              formatCount(n),
              k === 'mtp' ? '' : `${((100 * n) / p.total).toFixed(2)}%`,
            ]),
          ['total', formatCount(p.total), '100.00%'],
          ...(p.active !== p.total
            ? [['active per token', formatCount(p.active), `${((100 * p.active) / p.total).toFixed(2)}%`]]
            : []),
          ...(p.checkpointTotal !== p.total ? [['checkpoint total', formatCount(p.checkpointTotal), '']] : []),
        ],
        [false, true, true],
      ),
    ];
    if (p.perLayer.length > 0)
      lines.push(
        '',
        `per layer: ${formatCount(p.perLayer[0]!)} (layer 0)${p.perLayer.some((n) => n !== p.perLayer[0]) ? `, ${formatCount(Math.max(...p.perLayer))} (largest)` : ''}`,
      );
    if (rows) {
      lines.push(
        '',
        table(
          [
            ['tensor', 'shape', 'in', ...(format ? ['type', 'bytes'] : [])],
            ...rows.map((r, i) => [
              r.name,
              r.shape.join('×'),
              String(inFeatures(tensors[i]!)),
              ...(r.type ? [r.type, formatCount(r.bytes ?? 0)] : []),
            ]),
          ],
          [false, true, true, false, true],
        ),
      );
    }
    for (const w of model.warnings) lines.push(`note: ${w}`);
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** `vramkit inspect <gguf-repo>`: the repository's GGUF models (split files summed), one per row. */
async function listGgufRepo(id: string, args: CommandArgs, io: Io): Promise<number> {
  const { options } = hubLoadOptions(args, io, false);
  const choices = await listGgufFiles(id, { ...options, ...(options.revision ? { revision: options.revision } : {}) });
  if (boolFlag(args.values, 'json')) {
    io.out(`${JSON.stringify({ schema: 'vramkit/gguf-files@1', repository: id, models: choices }, null, 2)}\n`);
    return 0;
  }
  const rows = choices.map((c) => [
    c.label,
    c.bytes === undefined ? '' : (c.bytes / GIB).toFixed(2),
    String(c.files.length),
    c.files[0]!,
  ]);
  io.out(
    `${id}: ${choices.length} GGUF models (pick one with --quant <label> or --file <name>)\n\n${table([['quant', 'GiB', 'files', 'first file'], ...rows], [false, true, true, false])}\n`,
  );
  return 0;
}
