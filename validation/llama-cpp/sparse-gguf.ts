import { closeSync, openSync, ftruncateSync, writeSync } from 'node:fs';
import {
  type Architecture,
  type GgmlTypeLayout,
  ggmlTypeLayout,
  llamaCppArchitecture,
  synthesizeTensors,
  type Tensor,
} from '@vramkit/core';
import { ggufNameFor } from '../../packages/models/src/gguf/gguf-tensors.js';
import { normalizeConfig } from '../../packages/models/src/normalize/normalize-config.js';
import {
  buildGgufFile,
  GGUF_VALUE,
  type GgufKv,
  type GgufTensorSpec,
} from '../../packages/models/src/testing/gguf-writer.js';

/** One tensor as written to the GGUF: name, ggml dimensions (ne0 first) and ggml type name. */
export interface HarnessTensor {
  name: string;
  ne: number[];
  type: string;
}

/** A model as the harness writes it: the GGUF architecture name, its metadata and tensors. */
export interface HarnessModel {
  /** Catalogue config file the shapes come from. */
  config: string;
  /** `general.architecture` as llama.cpp's converter writes it for this config. */
  ggufArchitecture: string;
  architecture: Architecture;
  kv: GgufKv[];
  tensors: HarnessTensor[];
}

const T = (name: string): GgmlTypeLayout => ggmlTypeLayout(name);

/**
 * The ggml type the harness gives a tensor: F32 for vectors, Q6_K for output/embeddings, Q5_K for
 * matrices whose rows divide 256, Q5_0 (or F16) otherwise: a mix like a Q5_K_M file, so the model
 * buffer check exercises several block layouts.
 */
export function typeFor(t: Pick<Tensor, 'shape' | 'role'>): string {
  if (t.shape.length <= 1) return 'F32';
  const inF = t.shape[t.shape.length - 1]!;
  if ((t.role === 'output' || t.role === 'token_embd') && inF % 256 === 0) return 'Q6_K';
  // Q5_K rather than Q4_K/Q8_0: the CPU backend repacks those into a CPU_REPACK buffer of real RAM.
  if (inF % 256 === 0) return 'Q5_K';
  return inF % 32 === 0 ? 'Q5_0' : 'F16';
}

const SPECIAL_PIECES = [
  '<|end|>',
  '<|endoftext|>',
  '<|im_end|>',
  '<|eot_id|>',
  '<end_of_turn>',
  '<|return|>',
  '<|call|>',
  '<|start|>',
  '<|message|>',
  '<|channel|>',
  '<|constrain|>',
];

/**
 * The tokenizer metadata of a synthetic SentencePiece vocabulary of `n` tokens: `<unk>`, `<s>`, `</s>`,
 * the 256 byte tokens llama.cpp's SPM loader looks up (`<0x0A>` for the line feed), then filler pieces.
 * The vocabulary size decides the output buffer (n_vocab floats per row), so it is the real one.
 */
function vocabulary(n: number): GgufKv[] {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  for (let b = 0; b < 256; b++) tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  // Pieces some architectures' vocab setup looks up by text (phi3 `<|end|>`, gpt-oss `<|return|>`, …).
  tokens.push(...SPECIAL_PIECES);
  for (let i = tokens.length; i < n; i++) tokens.push(`t${i}`);
  const types = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  return [
    ['tokenizer.ggml.model', GGUF_VALUE.STRING, 'llama'],
    ['tokenizer.ggml.tokens', GGUF_VALUE.ARRAY, GGUF_VALUE.STRING, tokens],
    ['tokenizer.ggml.scores', GGUF_VALUE.ARRAY, GGUF_VALUE.FLOAT32, tokens.map(() => 0)],
    ['tokenizer.ggml.token_type', GGUF_VALUE.ARRAY, GGUF_VALUE.INT32, types],
    ['tokenizer.ggml.unknown_token_id', GGUF_VALUE.UINT32, 0],
    ['tokenizer.ggml.bos_token_id', GGUF_VALUE.UINT32, 1],
    ['tokenizer.ggml.eos_token_id', GGUF_VALUE.UINT32, 2],
  ];
}

/** Per-architecture metadata and tensor renames beyond the common keys (gguf-py constants.py; convert_hf_to_gguf.py). */
interface ArchRules {
  /** Extra metadata from the raw config. */
  kv?: (c: Record<string, unknown>, a: Architecture) => GgufKv[];
  /** Rename, split or drop a synthesized tensor (return undefined to drop). */
  tensor?: (t: HarnessTensor, src: Tensor, c: Record<string, unknown>) => HarnessTensor | HarnessTensor[] | undefined;
}

const u32 = (k: string, v: number): GgufKv => [k, GGUF_VALUE.UINT32, v];
const bool = (k: string, v: boolean): GgufKv => [k, GGUF_VALUE.BOOL, v];
const f32 = (k: string, v: number): GgufKv => [k, GGUF_VALUE.FLOAT32, v];

const RULES: Record<string, ArchRules> = {
  llama: {},
  qwen2: {},
  qwen3: {},
  qwen3moe: {},
  phi3: {
    // convert_hf_to_gguf.py Phi3MiniModel: gate_up_proj is written as ffn_up [n_embd, 2 n_ff].
    tensor: (t) =>
      t.name.endsWith('.ffn_gate_up.weight') ? { ...t, name: t.name.replace('ffn_gate_up', 'ffn_up') } : t,
    kv: (c) => [
      u32('phi3.attention.sliding_window', Number(c.sliding_window ?? 0)),
      u32(
        'phi3.rope.scaling.original_context_length',
        Number(c.original_max_position_embeddings ?? c.max_position_embeddings),
      ),
    ],
  },
  gemma2: {
    kv: (c) => [
      u32('gemma2.attention.sliding_window', Number(c.sliding_window)),
      f32('gemma2.attn_logit_softcapping', Number(c.attn_logit_softcapping ?? 50)),
      f32('gemma2.final_logit_softcapping', Number(c.final_logit_softcapping ?? 30)),
    ],
    tensor: (t) => ({
      ...t,
      name: t.name.replace('post_attention_norm', 'post_attention_norm').replace('post_ffw_norm', 'post_ffw_norm'),
    }),
  },
  gemma: {},
  olmo2: {},
  gpt2: {
    kv: (c) => [f32('gpt2.attention.layer_norm_epsilon', Number(c.layer_norm_epsilon ?? 1e-5))],
  },
  gemma3: {
    kv: (c) => [u32('gemma3.attention.sliding_window', Number(c.sliding_window))],
  },
  deepseek2: {
    // convert_hf_to_gguf.py DeepseekV2Model.set_gguf_parameters: MLA is written as MQA over the latent
    // (head_count_kv 1, key_length kv_lora_rank + rope, value_length kv_lora_rank), the per-head sizes
    // in key_length_mla/value_length_mla.
    kv: (c) => {
      const rank = Number(c.kv_lora_rank ?? 512);
      const rope = Number(c.qk_rope_head_dim);
      const out: GgufKv[] = [
        u32('deepseek2.attention.head_count_kv', 1),
        u32('deepseek2.attention.key_length', rank + rope),
        u32('deepseek2.attention.value_length', rank),
        u32('deepseek2.attention.key_length_mla', Number(c.qk_nope_head_dim) + rope),
        u32('deepseek2.attention.value_length_mla', Number(c.v_head_dim)),
        u32('deepseek2.attention.kv_lora_rank', rank),
        // Written as 0 for the Lite models (no q_lora_rank): llama.cpp reads it unless n_layer is 26/27,
        // and the harness writes fewer layers (src/models/deepseek2.cpp load_arch_hparams, is_lite).
        u32('deepseek2.attention.q_lora_rank', Number(c.q_lora_rank ?? 0)),
        u32('deepseek2.rope.dimension_count', rope),
        u32('deepseek2.leading_dense_block_count', Number(c.first_k_dense_replace ?? 0)),
        u32('deepseek2.expert_feed_forward_length', Number(c.moe_intermediate_size)),
        u32('deepseek2.expert_count', Number(c.n_routed_experts)),
        u32('deepseek2.expert_used_count', Number(c.num_experts_per_tok)),
        u32('deepseek2.expert_shared_count', Number(c.n_shared_experts ?? 0)),
        u32('deepseek2.feed_forward_length', Number(c.intermediate_size)),
      ];
      if (c.routed_scaling_factor !== undefined)
        out.push(f32('deepseek2.expert_weights_scale', Number(c.routed_scaling_factor)));
      if (c.norm_topk_prob) out.push(bool('deepseek2.expert_weights_norm', true));
      return out;
    },
    // kv_b_proj is split into attn_k_b {nope, rank, n_head} (transposed) and attn_v_b {rank, v, n_head}
    // for the absorbed MLA path (DeepseekV2Model.modify_tensors); the router bias is `exp_probs_b.bias`.
    tensor: (t, src, c) => {
      if (t.name.endsWith('.attn_kv_b.weight')) {
        const heads = Number(c.num_attention_heads);
        const rank = Number(c.kv_lora_rank);
        const nope = Number(c.qk_nope_head_dim);
        const v = Number(c.v_head_dim);
        const kb = { name: t.name.replace('attn_kv_b', 'attn_k_b'), ne: [nope, rank, heads] };
        const vb = { name: t.name.replace('attn_kv_b', 'attn_v_b'), ne: [rank, v, heads] };
        return [
          { ...kb, type: typeFor({ ...src, shape: [...kb.ne].reverse() }) },
          { ...vb, type: typeFor({ ...src, shape: [...vb.ne].reverse() }) },
        ];
      }
      if (src.role === 'ffn_exp_probs_b') return { ...t, name: `blk.${src.layer}.exp_probs_b.bias` };
      return t;
    },
  },
  llama4: {
    // convert_hf_to_gguf.py Llama4Model: interleave step, expert width (intermediate_size), dense width
    // (intermediate_size_mlp); gate_up experts split into gate and up.
    kv: (c) => [
      u32('llama4.interleave_moe_layer_step', Number(c.interleave_moe_layer_step ?? 1)),
      u32('llama4.expert_feed_forward_length', Number(c.intermediate_size)),
      u32('llama4.feed_forward_length', Number(c.intermediate_size_mlp ?? c.intermediate_size)),
    ],
    tensor: (t) => {
      if (t.name.includes('.ffn_gate_up_exps.')) {
        const ne = [...t.ne];
        ne[1]! /= 2;
        return [
          { ...t, name: t.name.replace('ffn_gate_up_exps', 'ffn_gate_exps'), ne },
          { ...t, name: t.name.replace('ffn_gate_up_exps', 'ffn_up_exps'), ne: [...ne] },
        ];
      }
      return t;
    },
  },
  qwen3next: {
    // convert_hf_to_gguf.py Qwen3NextModel: Gated DeltaNet sizes as ssm.* keys, the attention shape of the
    // full-attention layers (layer 0 is linear, so the common keys miss it), partial RoPE.
    kv: (c) => [
      u32('qwen3next.ssm.conv_kernel', Number(c.linear_conv_kernel_dim)),
      u32('qwen3next.ssm.state_size', Number(c.linear_key_head_dim)),
      u32('qwen3next.ssm.group_count', Number(c.linear_num_key_heads)),
      u32('qwen3next.ssm.time_step_rank', Number(c.linear_num_value_heads)),
      u32('qwen3next.ssm.inner_size', Number(c.linear_num_value_heads) * Number(c.linear_value_head_dim)),
      u32('qwen3next.full_attention_interval', Number(c.full_attention_interval ?? 4)),
      u32('qwen3next.attention.head_count', Number(c.num_attention_heads)),
      u32('qwen3next.attention.head_count_kv', Number(c.num_key_value_heads)),
      u32('qwen3next.attention.key_length', Number(c.head_dim)),
      u32('qwen3next.attention.value_length', Number(c.head_dim)),
      u32('qwen3next.rope.dimension_count', Number(c.head_dim) * Number(c.partial_rotary_factor ?? 1)),
      u32('qwen3next.expert_feed_forward_length', Number(c.moe_intermediate_size)),
      u32('qwen3next.expert_shared_feed_forward_length', Number(c.shared_expert_intermediate_size)),
      u32('qwen3next.feed_forward_length', Number(c.intermediate_size)),
    ],
    // llama.cpp names (src/llama-arch.cpp): conv1d as {d_conv, conv_dim}, dt_bias as `ssm_dt.bias`,
    // in_proj_ba as `ssm_ba`, post_attention_layernorm as `post_attention_norm`, the shared-expert gate as a vector.
    tensor: (t, src) => {
      if (src.role === 'ssm_conv1d') return { ...t, ne: [t.ne[0]!, t.ne[2]!] };
      if (src.role === 'ssm_dt') return { ...t, name: `blk.${src.layer}.ssm_dt.bias` };
      if (t.name.endsWith('.ffn_norm.weight')) return { ...t, name: t.name.replace('ffn_norm', 'post_attention_norm') };
      if (src.role === 'ffn_gate_inp_shexp') return { ...t, ne: [t.ne[0]!], type: 'F32' };
      return t;
    },
  },
  'gpt-oss': {
    // convert_hf_to_gguf.py GptOssModel: sliding_window, expert width; post_attention_layernorm is
    // `post_attention_norm` (LLM_TENSOR_ATTN_POST_NORM), gate_up_proj and its bias split into gate and up.
    kv: (c) => [
      u32('gpt-oss.attention.sliding_window', Number(c.sliding_window)),
      u32('gpt-oss.expert_feed_forward_length', Number(c.intermediate_size)),
    ],
    tensor: (t) => {
      if (t.name.endsWith('.ffn_norm.weight')) return { ...t, name: t.name.replace('ffn_norm', 'post_attention_norm') };
      if (t.name.includes('.ffn_gate_up_exps.')) {
        const ne = [...t.ne];
        ne[t.name.endsWith('.bias') ? 0 : 1]! /= 2;
        return [
          { ...t, name: t.name.replace('ffn_gate_up_exps', 'ffn_gate_exps'), ne },
          { ...t, name: t.name.replace('ffn_gate_up_exps', 'ffn_up_exps'), ne: [...ne] },
        ];
      }
      return t;
    },
  },
};

/**
 * Builds the harness model of a catalogue config: the architecture as vramkit normalizes it, the
 * tensors llama.cpp expects under their GGUF names and shapes, and the metadata llama.cpp reads.
 */
export function harnessModel(configName: string, config: Record<string, unknown>): HarnessModel {
  const architecture = normalizeConfig(config).architecture;
  // Multimodal configs (Llama 4) nest the language model's keys under text_config.
  const text = (config.text_config as Record<string, unknown> | undefined) ?? config;
  // The converter's `general.architecture` for this config, as core maps it (convert_hf_to_gguf.py @ModelBase.register).
  const name = llamaCppArchitecture(architecture);
  const rules = RULES[name] ?? {};
  // The converter's own tensors too (rope_freqs.weight for llama3 RoPE scaling), as core synthesizes them.
  const src = synthesizeTensors(architecture, { converterTensors: true }).filter(
    (t) => !t.mtp && t.shape.every((d) => d > 0),
  );
  const tensors: HarnessTensor[] = [];
  for (const t of src) {
    // A norm's bias keeps `.bias` (LayerNorm models: gpt2), which core's role alone does not say.
    const name =
      t.name === 'rope_freqs.weight'
        ? t.name
        : ggufNameFor(t).replace(/\.weight$/, t.name.endsWith('.bias') ? '.bias' : '.weight');
    const h: HarnessTensor = { name, ne: [...t.shape].reverse(), type: typeFor(t) };
    const r = rules.tensor ? rules.tensor(h, t, text) : h;
    if (Array.isArray(r)) tensors.push(...r);
    else if (r) tensors.push(r);
  }
  const first = architecture.layers[0]!;
  const attn = first.attention;
  const kv: GgufKv[] = [
    ['general.architecture', GGUF_VALUE.STRING, name],
    ['general.name', GGUF_VALUE.STRING, configName],
    u32('general.file_type', 15),
    u32(`${name}.block_count`, architecture.layers.length),
    u32(`${name}.context_length`, architecture.maxPositionEmbeddings ?? 4096),
    u32(`${name}.embedding_length`, architecture.hiddenSize),
    u32(`${name}.vocab_size`, architecture.vocabSize),
    f32(`${name}.attention.layer_norm_rms_epsilon`, Number(text.rms_norm_eps ?? 1e-6)),
    f32(`${name}.rope.freq_base`, Number(text.rope_theta ?? 10000)),
  ];
  if (attn.kind === 'full' || attn.kind === 'sliding' || attn.kind === 'chunked') {
    kv.push(
      u32(`${name}.attention.head_count`, attn.numHeads),
      u32(`${name}.attention.head_count_kv`, attn.numKvHeads),
    );
    kv.push(u32(`${name}.attention.key_length`, attn.headDim), u32(`${name}.attention.value_length`, attn.vHeadDim));
    kv.push(u32(`${name}.rope.dimension_count`, attn.headDim));
  }
  const mlp = first.mlp;
  if (mlp.kind === 'dense') {
    kv.push(u32(`${name}.feed_forward_length`, mlp.intermediateSize));
  } else {
    kv.push(u32(`${name}.expert_count`, mlp.numExperts), u32(`${name}.expert_used_count`, mlp.topK));
    kv.push(
      u32(`${name}.feed_forward_length`, mlp.expertIntermediateSize),
      u32(`${name}.expert_feed_forward_length`, mlp.expertIntermediateSize),
    );
  }
  // An architecture's own keys replace the common ones (llama.cpp refuses a file with a duplicate key).
  const own = rules.kv ? rules.kv(text, architecture) : [];
  const replaced = new Set(own.map((k) => k[0]));
  const merged = [...kv.filter((k) => !replaced.has(k[0])), ...own, ...vocabulary(architecture.vocabSize)];
  return { config: configName, ggufArchitecture: name, architecture, kv: merged, tensors };
}

/**
 * Writes a sparse GGUF: the real header (metadata, tensor infos), then the file extended to its full
 * size with zeros that the filesystem does not store, so an 8B model costs a few MiB of disk.
 * @returns the file's size in bytes
 */
export function writeSparseGguf(path: string, model: HarnessModel): number {
  const specs: GgufTensorSpec[] = model.tensors.map((t) => ({ name: t.name, ne: t.ne, type: T(t.type) }));
  const file = buildGgufFile(model.kv, specs);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, file.head);
    ftruncateSync(fd, file.size);
  } finally {
    closeSync(fd);
  }
  return file.size;
}
