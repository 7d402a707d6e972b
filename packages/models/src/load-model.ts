import { type Architecture, countParameters, synthesizeTensors, type Tensor } from '@vramkit/core';
import type { CacheStore } from './cache/cache-store.js';
import { findInCatalogue, listCatalogue } from './catalogue/catalogue.js';
import { suggest } from './catalogue/suggest.js';
import { chooseGgufFiles } from './gguf/choose-gguf.js';
import { normalizeGgufConfig } from './gguf/gguf-config.js';
import { quantLabelOfFile } from './gguf/gguf-file-type.js';
import { mergeGgufInventories } from './gguf/read-gguf.js';
import { HubFetchError, OfflineError } from './hub/errors.js';
import { HubClient, type HubModelInfo } from './hub/hub-client.js';
import type { HubOptions } from './hub/hub-options.js';
import { CacheMiss, isUnreachable, ModelFiles } from './hub/model-files.js';
import { assertRepoId, assertRevision } from './hub/repo-id.js';
import type { ModelQuantization, ModelSource, ModelSpec, ParameterSources } from './model-spec.js';
import { familyFor } from './normalize/families/index.js';
import { type NormalizedConfig, normalizeConfig } from './normalize/normalize-config.js';
import { pickSafetensorsFiles } from './safetensors/read-safetensors.js';

/** Options of {@link loadModel}. Hub options (endpoint, token, timeouts, retries, fetch) included. */
export interface LoadModelOptions extends HubOptions {
  /** Branch, tag or commit sha. Default `main`. */
  revision?: string;
  /** Never touch the network: cache, then the embedded catalogue. Default: `HF_HUB_OFFLINE=1` or `VRAMKIT_OFFLINE=1` in `env`. */
  offline?: boolean;
  /** Read every safetensors header (range requests) even when the architecture is known. */
  exact?: boolean;
  /** A GGUF file of the repository to read (any part of a split set). */
  file?: string;
  /** A GGUF quantization to pick from the repository's files (`Q4_K_M`). */
  quant?: string;
  /** Where responses are cached. Default: none (Node callers pass `createFsCacheStore()` from `@vramkit/models/node`). */
  cache?: CacheStore;
  /** Use the embedded catalogue when offline or when the Hub cannot be reached. Default true. */
  catalogueFallback?: boolean;
}

function envOf(options: LoadModelOptions): Record<string, string | undefined> {
  return options.env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}

function isOfflineEnv(env: Record<string, string | undefined>): boolean {
  const on = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);
  return on(env.HF_HUB_OFFLINE) || on(env.VRAMKIT_OFFLINE);
}

/**
 * Loads a Hub model into an exact {@link ModelSpec}. For a known architecture it reads
 * `config.json` and the model-info API's safetensors totals (two requests) and checks them against
 * each other; for an unknown one (or `exact`) it reads the safetensors headers with range requests;
 * for a GGUF repository it reads the chosen file's header. Works in Node and browsers.
 * Offline (`offline`, or the Hub unreachable) it answers from the cache, then the catalogue, with a warning.
 * @param id `owner/name`
 * @param options revision, offline, exact, GGUF file/quant, cache, Hub options
 * @returns the spec with provenance, request count and warnings
 * @throws HubFetchError (HUB_NOT_FOUND with suggestions, HUB_UNAUTHORIZED for gated repos, HUB_TIMEOUT, …)
 * @throws OfflineError with `offline` when the model is neither cached nor in the catalogue (online, the
 *   network error is rethrown when neither can answer)
 * @throws ModelParseError for malformed headers or JSON; ConfigValidationError for unusable configs
 */
export async function loadModel(id: string, options: LoadModelOptions = {}): Promise<ModelSpec> {
  const repo = assertRepoId(id);
  const revision = assertRevision(options.revision ?? 'main');
  const client = new HubClient(options);
  const offline = options.offline ?? isOfflineEnv(envOf(options));
  const warnings: string[] = [];
  if (!offline) {
    const files = new ModelFiles(client, repo, revision, options.cache, false, warnings);
    try {
      return await loadWith(files, options, warnings);
    } catch (e) {
      if (!isUnreachable(e)) throw await withSuggestions(e, repo, client);
      warnings.push(
        `${client.options.endpoint} could not be reached (${(e as Error).message.split('. ')[0]}); answering offline`,
      );
      return offlineLoad(client, repo, revision, options, warnings, e);
    }
  }
  return offlineLoad(client, repo, revision, options, warnings, undefined);
}

async function offlineLoad(
  client: HubClient,
  repo: string,
  revision: string,
  options: LoadModelOptions,
  warnings: string[],
  cause: unknown,
): Promise<ModelSpec> {
  let corruptEntry: string | undefined;
  if (options.cache) {
    const files = new ModelFiles(client, repo, revision, options.cache, true, warnings);
    try {
      const spec = await loadWith(files, options, warnings);
      spec.warnings.push(`offline: used the cached copy of ${repo}@${spec.source.sha ?? revision}`);
      return spec;
    } catch (e) {
      if (!(e instanceof CacheMiss)) throw e;
      if (e.corrupt) corruptEntry = e.corrupt;
    }
  }
  const entry = options.catalogueFallback === false ? undefined : findInCatalogue(repo);
  if (entry && revision === 'main' && !options.file?.toLowerCase().endsWith('.gguf')) {
    const normalized = normalizeConfig(entry.config);
    const spec = specFromConfig(repo, normalized, {
      kind: 'catalogue',
      id: entry.id,
      files: [],
      fromCache: true,
      requests: client.transport.stats.requests,
      bytes: client.transport.stats.bytes,
    });
    spec.warnings.unshift(
      ...warnings,
      `offline: used the embedded catalogue's recorded config of ${entry.id} (no safetensors check)`,
    );
    return spec;
  }
  // Online with nothing to fall back on: the network error itself says most (timeout, 503, refused).
  if (cause !== undefined) throw cause;
  const near = suggest(
    repo,
    listCatalogue().flatMap((c) => [c.id, ...c.aliases]),
  );
  throw new OfflineError(
    repo,
    `offline mode (\`offline\`, or HF_HUB_OFFLINE), and it is neither in the cache${revision === 'main' ? '' : ` at revision ${revision}`}${corruptEntry ? ` (${corruptEntry})` : ''} nor in the embedded catalogue.${near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''} Run once online to cache it, or pass a local config.json.`,
  );
}

async function withSuggestions(e: unknown, repo: string, client: HubClient): Promise<unknown> {
  if (
    e instanceof HubFetchError &&
    e.code === 'HUB_NOT_FOUND' &&
    e.hubErrorCode !== 'EntryNotFound' &&
    e.hubErrorCode !== 'RevisionNotFound' &&
    e.suggestions.length === 0
  ) {
    const ids = listCatalogue().map((c) => c.id);
    // Never suggest what was typed: the Hub just said it does not exist (private, renamed, or a typo elsewhere).
    let near = suggest(repo, ids).filter((id) => id.toLowerCase() !== repo.toLowerCase());
    // Not close to any catalogue id: ask the Hub's search for the name part (one request).
    if (near.length === 0)
      near = (await client.searchModels(repo.split('/')[1] ?? repo, 3)).filter(
        (id) => id.toLowerCase() !== repo.toLowerCase(),
      );
    if (near.length === 0) return e;
    return new HubFetchError({
      code: e.code,
      message: `${e.message} Did you mean ${near.map((s) => `"${s}"`).join(', ')}?`,
      status: e.status,
      repo: e.repo,
      url: e.url,
      hubErrorCode: e.hubErrorCode,
      suggestions: near,
      cause: e.cause,
    });
  }
  return e;
}

async function loadWith(files: ModelFiles, options: LoadModelOptions, warnings: string[]): Promise<ModelSpec> {
  const { client, repo } = files;
  const info = await files.info();
  const sha = info.sha ?? files.revision;
  const ggufFiles = info.files.filter((f) => f.toLowerCase().endsWith('.gguf'));
  const hasConfig = info.files.length === 0 || info.files.includes('config.json');
  // --quant picks a GGUF file only in a repository that has some; for a safetensors repo it names
  // the weight format to predict, which is the caller's business.
  const wantsGguf =
    ggufFiles.length > 0 &&
    (options.quant !== undefined || options.file?.toLowerCase().endsWith('.gguf') === true || !hasConfig);
  const source = (): ModelSource => ({
    kind: wantsGguf ? 'gguf' : 'hub',
    id: repo,
    revision: files.revision,
    ...(info.sha ? { sha: info.sha } : {}),
    endpoint: client.options.endpoint,
    files: [...files.read],
    fromCache: files.allFromCache,
    requests: client.transport.stats.requests,
    bytes: client.transport.stats.bytes,
    log: [...client.transport.stats.log],
  });
  if (wantsGguf) return loadGguf(files, info, sha, ggufFiles, options, warnings, source);
  if (!hasConfig) {
    throw new HubFetchError({
      code: 'HUB_NOT_FOUND',
      message: `${repo} has no config.json and no .gguf file; vramkit needs one of them (or pass a local config.json).`,
      repo,
      hubErrorCode: 'EntryNotFound',
    });
  }
  const config = await files.config(sha);
  const normalized = normalizeConfig(config, { allowUnknown: true });
  const arch = normalized.architecture;
  const unknown = familyFor(normalized.modelType) === undefined;
  const synth = synthesizeTensors(arch);
  const synthCount = countParameters(synth, arch).checkpointTotal;
  const multimodal =
    isRecord(config.vision_config) ||
    isRecord(config.audio_config) ||
    normalized.warnings.some((w) => w.includes('text_config') || w.includes('llm_config'));
  const quantization = quantizationOf(normalized);
  const picked = pickSafetensorsFiles(info.files);
  const hasSafetensors = picked.files.length > 0 || picked.index !== undefined;
  const parameters: ParameterSources = { synthesized: synthCount, agree: true };
  let tensors: readonly Tensor[] = synth;
  let inventorySource: ModelSpec['inventorySource'] = 'synthesized';
  if (info.safetensors) parameters.hubSafetensors = info.safetensors.total;
  if ((options.exact || unknown) && hasSafetensors) {
    const inv = await files.safetensors(sha, info.files, arch.mtpLayers > 0 ? arch.layers.length : undefined);
    tensors = inv.tensors;
    inventorySource = 'safetensors';
    parameters.safetensorsHeaders = inv.total;
    if (inv.nonText > 0) parameters.nonText = inv.nonText;
    parameters.agree = inv.total - inv.nonText === synthCount;
    if (!parameters.agree && !quantization) {
      warnings.push(
        `the safetensors headers hold ${fmt(inv.total - inv.nonText)} text-model parameters but the config describes ${fmt(synthCount)}; estimates use the headers`,
      );
    }
  } else if (info.safetensors) {
    const hub = info.safetensors.total;
    if (multimodal && hub > synthCount) parameters.nonText = hub - synthCount;
    parameters.agree = multimodal ? hub >= synthCount : hub === synthCount;
    if (!parameters.agree && !quantization) {
      warnings.push(
        `the Hub counts ${fmt(hub)} safetensors parameters but the config describes ${fmt(synthCount)} (${fmt(hub - synthCount)} apart); set \`exact\` to count the safetensors headers instead`,
      );
    }
  } else if (unknown) {
    warnings.push('no safetensors files to check the generic mapping against; parameter counts may be off');
  }
  if (quantization && info.safetensors && !parameters.agree) {
    warnings.push(
      `the checkpoint is ${quantization.method}-quantized: the Hub counts packed storage elements, so its total differs from the ${fmt(synthCount)} parameters of the architecture`,
    );
  }
  return {
    id: repo,
    architecture: arch,
    tensors,
    inventorySource,
    ...(quantization ? { quantization } : {}),
    ...(normalized.checkpointDtype ? { checkpointDtype: normalized.checkpointDtype } : {}),
    ...(normalized.transformersVersion ? { transformersVersion: normalized.transformersVersion } : {}),
    parameters,
    source: source(),
    warnings: [...warnings, ...normalized.warnings],
  };
}

async function loadGguf(
  files: ModelFiles,
  info: HubModelInfo,
  sha: string,
  ggufFiles: readonly string[],
  options: LoadModelOptions,
  warnings: string[],
  source: () => ModelSource,
): Promise<ModelSpec> {
  const chosen = chooseGgufFiles(
    ggufFiles.length > 0 || info.files.length > 0 ? ggufFiles : options.file ? [options.file] : [],
    {
      ...(options.file ? { file: options.file } : {}),
      ...(options.quant ? { quant: options.quant } : {}),
    },
  );
  const parts = [];
  for (const f of chosen) parts.push(await files.gguf(sha, f));
  const inv = mergeGgufInventories(parts);
  const normalized = normalizeGgufConfig(parts[0]!);
  const arch = normalized.architecture;
  const synthCount = countParameters(synthesizeTensors(arch), arch).total;
  const parameters: ParameterSources = {
    synthesized: synthCount,
    gguf: inv.parameters,
    agree: inv.parameters === synthCount,
  };
  if (!parameters.agree) {
    warnings.push(
      `the GGUF header holds ${fmt(inv.parameters)} parameters, the architecture read from its metadata ${fmt(synthCount)}; estimates use the header`,
    );
  }
  const fileType = inv.fileType ?? quantLabelOfFile(chosen[0]!.split('/').pop() ?? chosen[0]!);
  return {
    id: files.repo,
    architecture: arch,
    tensors: inv.tensors,
    inventorySource: 'gguf',
    quantization: { method: 'gguf', ...(fileType ? { fileType } : {}), dataBytes: inv.dataBytes },
    parameters,
    source: source(),
    warnings: [...warnings, ...normalized.warnings],
  };
}

/**
 * A spec from a normalized config alone (local config.json, catalogue entry): tensors synthesized.
 * @param id what the user passed
 * @param normalized the output of `normalizeConfig`
 * @param source provenance
 */
export function specFromConfig(id: string, normalized: NormalizedConfig, source: ModelSource): ModelSpec {
  const arch: Architecture = normalized.architecture;
  const tensors = synthesizeTensors(arch);
  const quantization = quantizationOf(normalized);
  return {
    id,
    architecture: arch,
    tensors,
    inventorySource: 'synthesized',
    ...(quantization ? { quantization } : {}),
    ...(normalized.checkpointDtype ? { checkpointDtype: normalized.checkpointDtype } : {}),
    ...(normalized.transformersVersion ? { transformersVersion: normalized.transformersVersion } : {}),
    parameters: { synthesized: countParameters(tensors, arch).checkpointTotal, agree: true },
    source,
    warnings: [...normalized.warnings],
  };
}

function quantizationOf(n: NormalizedConfig): ModelQuantization | undefined {
  const q = n.quantizationConfig;
  if (!q) return undefined;
  const method =
    typeof q.quant_method === 'string'
      ? q.quant_method
      : typeof q.load_in_4bit === 'boolean' || typeof q.load_in_8bit === 'boolean'
        ? 'bitsandbytes'
        : 'unknown';
  return { method, config: q };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
