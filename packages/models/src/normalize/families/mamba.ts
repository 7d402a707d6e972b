import type { Architecture, MambaMixerSpec } from '@vramkit/core';
import { assemble } from '../decoder.js';
import type { ConfigFamily } from './family.js';

/**
 * Mamba (transformers MambaBlock / MambaConfig): an RMSNorm and a selective-SSM mixer per layer,
 * no attention and no MLP, so a fixed conv + SSM state per sequence instead of a KV cache.
 * `intermediate_size` = `expand` × hidden (default 2), `time_step_rank` "auto" = ⌈hidden / 16⌉,
 * `state_size` 16, `conv_kernel` 4, `use_bias` false, `use_conv_bias` true, tied embeddings.
 */
export const mambaFamily: ConfigFamily = {
  modelTypes: ['mamba'],
  normalize: (r): Architecture => {
    const hidden = r.int(['hidden_size', 'd_model']);
    const vocab = r.int('vocab_size');
    const layers = r.int(['num_hidden_layers', 'n_layer']);
    const expand = r.int('expand', { fallback: 2 });
    const inner = r.int('intermediate_size', { fallback: expand * hidden });
    const rankRaw = r.config.time_step_rank;
    const dtRank = rankRaw === undefined || rankRaw === 'auto' ? Math.ceil(hidden / 16) : r.int('time_step_rank');
    const mixer: MambaMixerSpec = {
      kind: 'mamba',
      intermediateSize: inner,
      stateSize: r.int('state_size', { fallback: 16 }),
      convKernel: r.int('conv_kernel', { fallback: 4 }),
      dtRank,
      bias: r.bool('use_bias', false),
      convBias: r.bool('use_conv_bias', true),
    };
    // No MLP: a dense MLP of width 0 keeps the LayerSpec shape and adds no parameters.
    return assemble(
      r,
      { norms: ['norm'], tiedDefault: true, naming: 'mamba' },
      { hidden, vocab },
      Array.from({ length: layers }, () => mixer),
      Array.from({ length: layers }, () => ({
        kind: 'dense' as const,
        gated: false,
        intermediateSize: 0,
        bias: false,
      })),
    );
  },
};
