import type { Architecture } from '../model/architecture.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { ResolvedTrainingWorkload } from './workload.js';

/**
 * Refuses parallel layouts the frameworks refuse at startup, each issue naming its field.
 * @throws InvalidInputError listing every inconsistent degree
 */
export function validateParallel(arch: Architecture, p: ResolvedTrainingWorkload['parallel']): void {
  const issues = [];
  const mp = p.tp * p.pp * p.cp;
  if (p.gpus % mp !== 0)
    issues.push({
      path: 'parallel.gpus',
      message: `gpus (${p.gpus}) must be a multiple of tp × pp × cp = ${mp}`,
      received: p.gpus,
    });
  if (p.pp > arch.layers.length)
    issues.push({
      path: 'parallel.pp',
      message: `pp (${p.pp}) cannot exceed the ${arch.layers.length} layers`,
      received: p.pp,
    });
  if (p.zero > 0 && p.fsdp !== 'none')
    issues.push({
      path: 'parallel.fsdp',
      message: 'use either ZeRO (parallel.zero) or FSDP (parallel.fsdp), not both',
      received: p.fsdp,
    });
  if (p.offload === 'optimizer+params' && p.zero !== 3 && p.fsdp !== 'full' && p.fsdp !== 'hybrid') {
    issues.push({
      path: 'parallel.offload',
      message:
        'parameter offload needs ZeRO-3 or FSDP full/hybrid sharding (set parallel.zero to 3 or parallel.fsdp to full)',
      received: p.offload,
    });
  }
  const dp = p.gpus / mp;
  if (p.ep > 1 && Number.isInteger(dp) && dp % p.ep !== 0) {
    issues.push({
      path: 'parallel.ep',
      message: `ep (${p.ep}) must divide the data-parallel size ${dp} (experts are spread over data-parallel ranks)`,
      received: p.ep,
    });
  }
  if (p.offload !== 'none' && p.zero === 0 && p.fsdp === 'none') {
    issues.push({
      path: 'parallel.offload',
      message: 'optimizer offload needs ZeRO (parallel.zero ≥ 1) or FSDP (parallel.fsdp)',
      received: p.offload,
    });
  }
  // Megatron/torchtitan split heads, KV groups and the FFN over TP ranks, and experts over EP ranks:
  // a degree that does not divide them is refused at startup (megatron/training/arguments.py).
  const attn = arch.layers.map((l) => l.attention).find((a) => 'numHeads' in a) as
    | { numHeads: number; numKvHeads?: number }
    | undefined;
  if (p.tp > 1 && attn && attn.numHeads % p.tp !== 0) {
    issues.push({
      path: 'parallel.tp',
      message: `tp (${p.tp}) must divide the ${attn.numHeads} attention heads`,
      received: p.tp,
    });
  }
  const moe = arch.layers.map((l) => l.mlp).find((m) => m.kind === 'moe') as { numExperts: number } | undefined;
  if (p.ep > 1 && !moe)
    issues.push({
      path: 'parallel.ep',
      message: 'expert parallelism needs an MoE model; this one has no experts',
      received: p.ep,
    });
  if (p.ep > 1 && moe && moe.numExperts % p.ep !== 0) {
    issues.push({
      path: 'parallel.ep',
      message: `ep (${p.ep}) must divide the ${moe.numExperts} experts`,
      received: p.ep,
    });
  }
  if (issues.length) throw new InvalidInputError(issues);
}
