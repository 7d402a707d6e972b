import { parseArgs } from 'node:util';
import { parseBytes } from '@vramkit/core';
import { suggest } from '@vramkit/models';
import type { CommandArgs, CommandOptions } from './command.js';
import { UsageError } from './errors.js';
import type { CommandName, Consumer, EngineScope, FlagScope, FlagSpec, Mode } from './flag-spec.js';
import { FLAGS, flagSpec, flagsOf, scopesOf } from './flag-table.js';

type Values = CommandArgs['values'];
type Options = CommandOptions;

/** The parseArgs options of `command`, from the flag table. */
export function parseArgsOptions(command: CommandName): Options {
  return optionsOf(flagsOf(command));
}

/** parseArgs options for a list of flags (every flag type is read as text, bools as booleans). */
export function optionsOf(specs: readonly FlagSpec[]): Options {
  const out: Options = {};
  for (const f of specs) {
    out[f.name] = {
      type: f.type === 'bool' ? 'boolean' : 'string',
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    };
  }
  return out;
}

const ALIASES = new Map(FLAGS.flatMap((f) => (f.aliases ?? []).map((a) => [a, `--${f.name}`] as const)));

/** Rewrites aliases (llama.cpp's `-ngl 99`, `-ctk=q8_0`) to long names, up to a `--` terminator. */
export function expandAliases(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((a, i) => {
    if (end >= 0 && i >= end) return a;
    const eq = a.indexOf('=');
    const flag = eq < 0 ? a : a.slice(0, eq);
    const long = ALIASES.get(flag);
    return long ? `${long}${eq < 0 ? '' : a.slice(eq)}` : a;
  });
}

/** Where a flag applies, in words: `estimate --engine llama.cpp`, `estimate --mode train`. */
function describeScope(command: CommandName, s: FlagScope): string {
  const parts: string[] = [command];
  if (s.modes?.length === 1 && s.modes[0] === 'train' && command !== 'plan') parts.push('--mode train');
  if (s.modes?.length === 1 && s.modes[0] === 'infer' && command === 'estimate' && !s.engines)
    parts.push('(inference)');
  if (s.engines) {
    const engines = s.engines.filter((e) => e !== 'none');
    const words = [
      ...(s.engines.includes('none') ? ['without --engine'] : []),
      ...(engines.length > 0 ? [`--engine ${engines.join('|')}`] : []),
    ];
    parts.push(words.join(' or '));
  }
  return parts.join(' ');
}

/** Where a flag applies across commands, for "does not apply" messages. */
function whereItApplies(spec: FlagSpec): string {
  return Object.keys(spec.accepts)
    .flatMap((c) => scopesOf(spec, c as CommandName).map((s) => describeScope(c as CommandName, s)))
    .join(', ');
}

/**
 * Parses one command's arguments against the flag table: unknown flags get a did-you-mean, flags of
 * other commands say where they belong, and every value is checked by its declared type.
 * @throws UsageError naming the flag
 */
export function parseCommandLine(command: CommandName, argv: readonly string[]): CommandArgs & { help: boolean } {
  const args = expandAliases(argv);
  const specs = flagsOf(command);
  const options: Options = { ...optionsOf(specs), help: { type: 'boolean', short: 'h' } };
  // A lenient pass first, so an unknown flag is reported with what was meant rather than node's message.
  const loose = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of loose.tokens ?? []) {
    if (t.kind !== 'option' || t.name in options) continue;
    throw unknownFlag(command, t.rawName, t.name);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\s+/g, ' ')} (vramkit ${command} --help)`);
  }
  const { help, ...values } = parsed.values;
  if (!help) for (const name of Object.keys(values)) readFlag(values, name);
  return { positionals: parsed.positionals, values, help: help === true };
}

function unknownFlag(command: CommandName, raw: string, name: string): UsageError {
  const spec = raw.startsWith('--') ? flagSpec(name) : undefined;
  if (spec)
    return new UsageError(
      `${raw} does not apply to ${command}: it is a flag of ${whereItApplies(spec)} (vramkit ${command} --help)`,
      name,
    );
  const known = flagsOf(command).map((f) => `--${f.name}`);
  const hint = suggest(raw, known, 2);
  return new UsageError(
    `Unknown option '${raw}'${hint.length ? `. Did you mean ${hint.join(' or ')}?` : ''} (vramkit ${command} --help)`,
    name,
  );
}

/** The mode and engines a command line runs under, which decide where flags apply. */
export interface FlagContext {
  mode: Mode;
  engines: readonly EngineScope[];
}

/**
 * Rejects flags given where they do not apply (the mode or engine of this run), naming where they do.
 * @throws UsageError naming the flag
 */
export function checkApplicable(command: CommandName, values: Values, ctx: FlagContext): void {
  for (const name of Object.keys(values)) {
    if (values[name] === undefined) continue;
    const spec = flagSpec(name);
    if (!spec) continue;
    const scopes = scopesOf(spec, command);
    if (scopes.length === 0) throw unknownFlag(command, `--${name}`, name);
    if (scopes.some((s) => inScope(s, ctx))) continue;
    const here =
      ctx.mode === 'train'
        ? `${command}${command === 'plan' ? '' : ' --mode train'}`
        : `${command} ${ctx.engines.map((e) => (e === 'none' ? 'without --engine' : `--engine ${e}`)).join(', ')}`;
    const alt = spec.instead?.[ctx.mode === 'train' ? 'train' : ctx.engines[0]!];
    throw new UsageError(
      `--${name} does not apply to ${here}: it applies to ${scopes.map((s) => describeScope(command, s)).join(', ')}${alt ? `; use ${alt}` : ''}`,
      name,
    );
  }
}

/**
 * Training sizes one GPU type: `--gpu`/`--gpu-memory` once (how many: `--gpus`). A second one would
 * be ignored, so it is refused.
 * @throws UsageError
 */
export function checkOneGpu(values: Values): void {
  const n = rawStrings(values, 'gpu').length + rawStrings(values, 'gpu-memory').length;
  if (n > 1)
    throw new UsageError(
      'training sizes one GPU type: give --gpu or --gpu-memory once, and --gpus <n> for how many',
      'gpu',
    );
}

/** True when a flag with scope `s` applies under `ctx` (any of the run's engines). */
export function inScope(s: FlagScope, ctx: FlagContext): boolean {
  if (s.modes && !s.modes.includes(ctx.mode)) return false;
  if (s.engines && !ctx.engines.some((e) => s.engines!.includes(e))) return false;
  return true;
}

function rawStrings(values: Values, name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

function fail(spec: FlagSpec, raw: string, what: string): never {
  throw new UsageError(`--${spec.name} must be ${what} (got "${raw}")`, spec.name);
}

function readInt(spec: FlagSpec, raw: string): number {
  const min = spec.min ?? 1;
  const m = /^(\d+)(k|K)?$/.exec(raw.trim().replace(/_/g, ''));
  const n = m ? Number(m[1]) * (m[2] ? 1024 : 1) : Number.NaN;
  const range = spec.max === undefined ? `≥ ${min}` : `from ${min} to ${spec.max}`;
  if (!Number.isSafeInteger(n) || n < min || (spec.max !== undefined && n > spec.max))
    fail(spec, raw, `a whole number ${range}${spec.unit ? ` (${spec.unit})` : ''}`);
  return n * (spec.scale ?? 1);
}

function readNumber(spec: FlagSpec, raw: string): number {
  const n = Number(raw);
  const min = spec.min ?? Number.NEGATIVE_INFINITY;
  const max = spec.max ?? Number.POSITIVE_INFINITY;
  const range = spec.max === undefined ? `≥ ${min}` : `between ${min} and ${max}`;
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) fail(spec, raw, `a number ${range}`);
  return n;
}

/**
 * A size with its unit. A bare number is refused rather than read as bytes: `--gpu-memory 24` meant
 * 24GiB or 24GB, and the two differ by 7%.
 */
function readBytes(spec: FlagSpec, raw: string): number {
  const t = raw.trim();
  if (/^\d+(\.\d+)?$/.test(t) && Number(t) !== 0)
    throw new UsageError(`--${spec.name} needs a unit: ${t}GiB or ${t}GB? (got "${raw}")`, spec.name);
  const n = parseBytes(t);
  if (n === undefined || !Number.isSafeInteger(n))
    fail(spec, raw, 'a size such as 512MiB, 23.58GiB or 80GB ("G" alone is ambiguous)');
  if (n <= 0 && spec.multiple) fail(spec, raw, 'a size above zero');
  return n;
}

function readChoice(spec: FlagSpec, raw: string): string {
  const word = spec.synonyms?.[raw] ?? raw;
  if (!spec.choices!.includes(word)) {
    const hint = suggest(raw, spec.choices!, 1);
    fail(spec, raw, `one of ${spec.choices!.join(', ')}${hint.length ? `; did you mean ${hint[0]}?` : ''}`);
  }
  return word;
}

function readList(spec: FlagSpec, raw: string): (string | number)[] {
  const items = raw
    .split(spec.separator ?? ',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) fail(spec, raw, 'a list of at least one item');
  return items.map((item) => {
    if (spec.item === 'int') return readInt(spec, item);
    if (spec.item === 'number') return readNumber(spec, item);
    if (spec.choices && !spec.choices.includes(item)) fail(spec, item, `a list of ${spec.choices.join(', ')}`);
    return item;
  });
}

/** One raw value read by the flag's declared type. */
function convert(spec: FlagSpec, raw: string): unknown {
  switch (spec.type) {
    case 'int':
      return readInt(spec, raw);
    case 'number':
      return readNumber(spec, raw);
    case 'bytes':
      return readBytes(spec, raw);
    case 'choice':
      return readChoice(spec, raw);
    case 'list':
      return readList(spec, raw);
    default:
      return raw;
  }
}

/**
 * A flag's value read by its declared type (int, number, bytes, choice, list; repeatable flags give
 * an array), or undefined when it was not given.
 * @throws UsageError naming the flag when the value does not parse
 */
export function readFlag(values: Values, name: string): unknown {
  const spec = flagSpec(name);
  const v = values[name];
  if (v === undefined || v === false) return undefined;
  if (!spec) return v;
  if (spec.type === 'bool') return spec.value ?? true;
  const raws = rawStrings(values, name);
  if (spec.multiple) return raws.map((r) => convert(spec, r));
  return raws[0] === undefined ? undefined : convert(spec, raws[0]);
}

/** Sets `value` at a dotted path, creating objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
}

/**
 * The library options the given flags set for one consumer (`serving`: `{ context, llamaCpp: {…},
 * vllm: {…} }`), each flag at the field the table names; flags not given set nothing, so the
 * packages apply and echo their defaults.
 * @throws UsageError for a value that does not parse
 */
export function collect(values: Values, consumer: Consumer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of FLAGS) {
    const path = spec.to?.[consumer];
    if (path === undefined) continue;
    const value = readFlag(values, spec.name);
    if (value !== undefined) setPath(out, path, value);
  }
  return out;
}

/** Deep merge of option objects: `over` wins, nested objects merge (a trainer config under flags). */
export function mergeOptions<T extends Record<string, unknown>>(base: T, over: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? mergeOptions(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out as T;
}

const SECTION_TITLES: Record<FlagSpec['section'], string> = {
  options: 'Options',
  engine: 'Engine (memory as the engine allocates it, from its source code)',
  'llama.cpp': 'llama.cpp (--engine llama.cpp)',
  vllm: 'vLLM (--engine vllm)',
  training: 'Training',
  hub: 'Loading from the Hugging Face Hub (HF_TOKEN=hf_… for gated models; HF_ENDPOINT for another hub)',
};

/** The options part of `vramkit <command> --help`, from the flag table. */
export function optionsHelp(command: CommandName): string {
  const specs = flagsOf(command);
  const out: string[] = [];
  // An engine flag that this command takes whatever the engine (plan's --gpu, --tp) is listed with its options.
  const sectionOf = (f: FlagSpec): FlagSpec['section'] =>
    (f.section === 'engine' || f.section === 'llama.cpp' || f.section === 'vllm') &&
    !scopesOf(f, command).some((s) => s.engines)
      ? command === 'plan'
        ? 'training'
        : 'options'
      : f.section;
  for (const section of Object.keys(SECTION_TITLES) as FlagSpec['section'][]) {
    const rows = specs.filter((f) => sectionOf(f) === section);
    if (rows.length === 0) continue;
    out.push(`${SECTION_TITLES[section]}:`);
    for (const f of rows) {
      const names = [
        f.short ? `-${f.short}, ` : '    ',
        `--${f.name}`,
        ...(f.aliases ?? []).map((a) => `/${a}`),
        f.arg ? ` ${f.arg}` : '',
      ].join('');
      const scopes = scopesOf(f, command);
      const where =
        scopes.some((s) => s.modes || s.engines) &&
        !(scopes.length === 1 && !scopes[0]!.engines && scopes[0]!.modes?.[0] === 'infer')
          ? ` [${scopes.map((s) => describeScope(command, s).slice(command.length).trim() || 'always').join('; ')}]`
          : '';
      const extra = [
        f.unit && f.type !== 'bytes' ? f.unit : undefined,
        f.default ? `default ${f.default}` : undefined,
        f.multiple ? 'repeatable' : undefined,
      ]
        .filter(Boolean)
        .join(', ');
      out.push(`  ${names.padEnd(34)} ${f.help}${extra ? ` (${extra})` : ''}${where}`);
    }
    out.push('');
  }
  out.push('  -h, --help                         this help', '');
  return out.join('\n');
}
