import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENGINE_PROFILES } from '@vramkit/core';
import { sourceStrings } from '@vramkit/fixtures/source-strings';
import { describe, expect, it } from 'vitest';

// What an engine does lives in its profile (core's engine-*.ts); the CLI reads the profile's data and
// methods and never asks which engine it has. An engine id or alias compared with === / !== or used as a
// `case` is such a question. Flag-table sections are help headings named after engines, not engines.
const dir = fileURLToPath(new URL('.', import.meta.url));
const names = new Set(Object.values(ENGINE_PROFILES).flatMap((p) => [p.id, ...p.aliases]));
const lines = new Map<string, string[]>();
const lineOf = (file: string, line: number) => {
  let text = lines.get(file);
  if (!text) {
    text = readFileSync(`${dir}${file}`, 'utf8').split('\n');
    lines.set(file, text);
  }
  return text[line - 1] ?? '';
};

/** Whether a source line compares the engine name `name` (a flag-table `.section` heading excepted). */
function isEngineBranch(line: string, name: string): boolean {
  const quoted = `['"\`]${name.replace(/[.]/g, '\\.')}['"\`]`;
  const compared = new RegExp(`(\\S+)\\s*[!=]==?\\s*${quoted}|${quoted}\\s*[!=]==?\\s*(\\S+)|case\\s+${quoted}`);
  const m = compared.exec(line);
  return m !== null && !/\.section\)?$/.test(m[1] ?? m[2] ?? '');
}

function engineBranches(): string[] {
  const out: string[] = [];
  for (const s of sourceStrings(dir)) {
    if (!names.has(s.text)) continue;
    const line = lineOf(s.file, s.line);
    if (isEngineBranch(line, s.text)) out.push(`${s.file}:${s.line} ${line.trim()}`);
  }
  return out;
}

describe('engine rules stay in the engine profiles', () => {
  it('the scan sees the CLI modules and would catch a comparison', () => {
    expect(sourceStrings(dir).some((s) => s.file === 'commands/fit.ts' && s.text === 'llama.cpp')).toBe(true);
    expect(isEngineBranch("if (engine === 'llama.cpp') {", 'llama.cpp')).toBe(true);
    expect(isEngineBranch("engine !== 'vllm' ? a : b", 'vllm')).toBe(true);
    expect(isEngineBranch("    case 'transformers':", 'transformers')).toBe(true);
    expect(isEngineBranch("f.section === 'llama.cpp' ||", 'llama.cpp')).toBe(false);
    expect(isEngineBranch("const engine = engineFlag(v) ?? 'llama.cpp';", 'llama.cpp')).toBe(false);
  });

  it('no CLI module compares an engine name', () => {
    expect(engineBranches()).toEqual([]);
  });
});
