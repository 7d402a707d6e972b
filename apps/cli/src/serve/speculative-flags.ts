import {
  type EngineId,
  engineProfile,
  type ServingOptions,
  type SpeculativeMethod,
  type SpeculativeServing,
} from '@vramkit/core';
import type { CommandArgs, Io } from '../command.js';
import { UsageError } from '../errors.js';
import { readFlag } from '../flag-parse.js';
import type { FlagScope } from '../flag-spec.js';
import { FLAGS } from '../flag-table.js';
import { chooseFormat, formatSetup } from '../format-setup.js';
import { resolveModel } from '../model-argument.js';

/** vLLM's `speculative_config.method` names (vllm/config/speculative.py) → core's methods. */
const VLLM_METHODS: Readonly<Record<string, SpeculativeMethod>> = {
  draft_model: 'draft',
  eagle: 'eagle',
  eagle3: 'eagle3',
  mtp: 'mtp',
  deepseek_mtp: 'mtp',
};

/** The draft as the flags name it: the model argument, its tag (`repo:Q8_0`), and the method. */
interface DraftRequest {
  argument?: string;
  quant?: string;
  method: SpeculativeMethod;
  draftTokens?: number;
}

/** `-md repo:Q8_0` names a repository's file of that type, as llama.cpp's `-hfd` does; a path stays whole. */
function splitTag(argument: string): { argument: string; quant?: string } {
  const m = /^([^:\s]+\/[^:\s]+):([A-Za-z0-9_]+)$/.exec(argument);
  return m ? { argument: m[1]!, quant: m[2]! } : { argument };
}

/** Reads vLLM's `--speculative-config` JSON. @throws UsageError naming the flag for bad JSON or fields */
function vllmConfig(text: string): DraftRequest {
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch {
    throw new UsageError(`--speculative-config is not JSON: ${text}`, 'speculative-config');
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw new UsageError('--speculative-config must be a JSON object', 'speculative-config');
  const { method, model, num_speculative_tokens: n, ...rest } = c as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw new UsageError(
      `--speculative-config: ${unknown.join(', ')} is not modelled (method, model and num_speculative_tokens are)`,
      'speculative-config',
    );
  if (model !== undefined && typeof model !== 'string')
    throw new UsageError('--speculative-config: "model" must be a model id or path', 'speculative-config');
  const name = method === undefined ? (model ? 'draft_model' : undefined) : method;
  const resolved = typeof name === 'string' ? VLLM_METHODS[name] : undefined;
  if (!resolved)
    throw new UsageError(
      `--speculative-config: "method" must be one of ${Object.keys(VLLM_METHODS).join(', ')}${name === undefined ? ' (or give a "model")' : ''}`,
      'speculative-config',
    );
  if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 1))
    throw new UsageError(
      '--speculative-config: "num_speculative_tokens" must be a whole number ≥ 1',
      'speculative-config',
    );
  if (n === undefined && resolved !== 'mtp')
    throw new UsageError(
      `--speculative-config: vLLM needs "num_speculative_tokens" with ${resolved === 'draft' ? 'a draft model' : `an ${resolved} head`}`,
      'speculative-config',
    );
  return {
    method: resolved,
    ...(model ? { argument: model } : {}),
    ...(typeof n === 'number' ? { draftTokens: n } : {}),
  };
}

/** The flag that names each engine's drafter, and how it reads (undefined: the engine takes none). */
const DRAFT_FLAGS: Readonly<Record<EngineId, { flag: string; read(text: string): DraftRequest } | undefined>> = {
  'llama.cpp': { flag: 'model-draft', read: (md) => ({ ...splitTag(md), method: 'draft' }) },
  vllm: { flag: 'speculative-config', read: vllmConfig },
  transformers: undefined,
};

/** The draft the flags ask for under an engine, or undefined (flags that do not apply are refused by the flag table). */
function draftRequest(values: CommandArgs['values'], engine: EngineId): DraftRequest | undefined {
  const d = DRAFT_FLAGS[engine];
  const text = d ? (readFlag(values, d.flag) as string | undefined) : undefined;
  return d && text !== undefined ? d.read(text) : undefined;
}

/** Whether the flag that sets `speculative.<key>` applies to an engine under some command. */
function flagTakes(key: string, engine: EngineId): boolean {
  const flag = FLAGS.find((f) => f.to?.serving === `speculative.${key}`);
  if (!flag) return true;
  const scopes = Object.values(flag.accepts).flatMap((s) => (Array.isArray(s) ? s : [s])) as FlagScope[];
  return scopes.some((s) => !s.engines || s.engines.includes(engine));
}

/** Speculative decoding from the flags: the draft model resolved and its format chosen. */
export interface DraftSetup {
  speculative: SpeculativeServing;
  /** The draft model as the user gave it (launch lines). */
  argument?: string;
  /** How the draft's format was chosen. */
  notes: string[];
}

/**
 * Resolves the draft model the flags name for an engine (llama.cpp `-md`, vLLM `--speculative-config`),
 * with the settings `collect` took from the table (`-ngld`, `-ctkd`, `--spec-draft-n-max/-n-min/-p-min`,
 * `--acceptance-rate`). The draft's format: a GGUF file as stored, a `repo:TYPE` tag, else the engine
 * profile's default (llama.cpp: Q4_K_M), or the checkpoint's own for vLLM.
 * @returns undefined when no speculative flag is given
 * @throws UsageError for a draft setting without a draft model
 */
export async function draftSetup(
  args: CommandArgs,
  io: Io,
  engine: EngineId,
  collected: ServingOptions['speculative'],
): Promise<DraftSetup | undefined> {
  const request = draftRequest(args.values, engine);
  // Draft settings keep only what the engine's own flags set (compare runs several engines: -ngld and
  // --spec-draft-* belong to its llama.cpp rows; under vLLM γ comes from --speculative-config).
  if (collected) {
    const kept: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(collected)) if (flagTakes(key, engine)) kept[key] = value;
    collected = kept as SpeculativeServing;
  }
  if (!request) {
    if (collected && Object.keys(collected).length > 0) {
      const d = DRAFT_FLAGS[engine];
      const given = FLAGS.filter(
        (f) => f.to?.serving?.startsWith('speculative.') && f.to.serving.slice(12) in collected!,
      );
      throw new UsageError(
        `${given.map((f) => `--${f.name}`).join(', ')} need${given.length === 1 ? 's' : ''} ${d ? `--${d.flag}` : 'a drafter'}`,
        d?.flag ?? 'model-draft',
      );
    }
    return undefined;
  }
  const speculative: SpeculativeServing = {
    ...collected,
    method: request.method,
    ...(request.draftTokens !== undefined ? { draftTokens: request.draftTokens } : {}),
  };
  if (request.argument === undefined) return { speculative, notes: [] };
  const draft = await resolveModel(request.argument, { positionals: [request.argument], values: {} }, io);
  const profile = engineProfile(engine);
  const fallback = profile.requiresFormat ? profile.defaultFormat.id : undefined;
  const chosen = chooseFormat(await formatSetup(args, io), draft.model, request.quant, fallback);
  return {
    speculative: {
      ...speculative,
      draft: draft.model,
      ...(chosen.format ? { draftFormat: chosen.format } : {}),
    },
    argument: request.argument,
    notes: [
      `draft model ${request.argument}: weights ${chosen.format?.id ?? 'bf16'}${chosen.note ? ` (${chosen.note})` : !request.quant && fallback ? ` (${profile.defaultFormat.reason}; repo:TYPE picks another)` : ''}`,
    ],
  };
}

/** The serving question with the draft the flags name (unchanged without one). */
export async function withDraft(
  options: ServingOptions,
  args: CommandArgs,
  io: Io,
): Promise<{ options: ServingOptions; draftArgument?: string }> {
  const setup = await draftSetup(args, io, options.engine, options.speculative);
  const { speculative: _collected, ...rest } = options;
  if (!setup) return { options: rest };
  return {
    options: { ...rest, speculative: setup.speculative },
    ...(setup.argument ? { draftArgument: setup.argument } : {}),
  };
}
