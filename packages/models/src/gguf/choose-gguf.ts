import { InvalidInputError } from '@vramkit/core';
import { GGUF_SHARD_RE, quantLabelOfFile } from './gguf-file-type.js';

/** One loadable GGUF model of a repository: a single file or a set of split files. */
export interface GgufChoice {
  /** Quantization label from the file name (`Q4_K_M`), else the file name. */
  label: string;
  /** The file, or every split file in order. */
  files: string[];
  /** Bytes of all files, when the listing had sizes. */
  bytes?: number;
}

// Multimodal projectors ship beside the language model in GGUF repositories; they are not a choice.
const isProjector = (path: string) => /(^|\/)mmproj[^/]*\.gguf$/i.test(path);

/**
 * Groups a repository's `.gguf` files into loadable models (split files together), sorted by label.
 * @param files paths, with sizes when known
 */
export function groupGgufFiles(files: readonly { path: string; size?: number }[]): GgufChoice[] {
  const groups = new Map<string, GgufChoice>();
  for (const f of files) {
    if (!f.path.toLowerCase().endsWith('.gguf') || isProjector(f.path)) continue;
    const shard = GGUF_SHARD_RE.exec(f.path);
    const key = shard ? `${shard.groups!.prefix}#${shard.groups!.total}` : f.path;
    const g = groups.get(key) ?? { label: quantLabelOfFile(f.path.split('/').pop() ?? f.path) ?? f.path, files: [] };
    g.files.push(f.path);
    if (f.size !== undefined) g.bytes = (g.bytes ?? 0) + f.size;
    groups.set(key, g);
  }
  for (const g of groups.values()) g.files.sort();
  return [...groups.values()].sort((a, b) => a.label.localeCompare(b.label) || a.files[0]!.localeCompare(b.files[0]!));
}

/**
 * Picks the GGUF file(s) to read: `file` by path (any split part selects the whole set), else
 * `quant` by label, else the only model in the repository.
 * @returns the files, split parts in order
 * @throws InvalidInputError when nothing matches or the choice is ambiguous, listing what exists
 */
export function chooseGgufFiles(paths: readonly string[], pick: { file?: string; quant?: string }): string[] {
  const choices = groupGgufFiles(paths.map((path) => ({ path })));
  const known = choices
    .map((c) => (c.files.length > 1 ? `${c.label} (${c.files.length} files)` : c.files[0]!))
    .join(', ');
  if (pick.file) {
    const hit = choices.find((c) => c.files.includes(pick.file!));
    if (!hit)
      throw new InvalidInputError([
        {
          path: 'file',
          message: `no GGUF file "${pick.file}" in this repository. It holds: ${known || 'no .gguf files'}`,
          received: pick.file,
        },
      ]);
    return hit.files;
  }
  if (pick.quant) {
    const q = pick.quant.toUpperCase();
    const hits = choices.filter((c) => c.label.toUpperCase() === q);
    if (hits.length === 0)
      throw new InvalidInputError([
        {
          path: 'quant',
          message: `no ${q} GGUF in this repository. Available: ${choices.map((c) => c.label).join(', ') || 'none'}`,
          received: pick.quant,
        },
      ]);
    if (hits.length > 1)
      throw new InvalidInputError([
        {
          path: 'quant',
          message: `${q} matches several files (${hits.map((h) => h.files[0]).join(', ')}); pick one by name (\`file\`)`,
          received: pick.quant,
        },
      ]);
    return hits[0]!.files;
  }
  if (choices.length === 1) return choices[0]!.files;
  throw new InvalidInputError([
    {
      path: 'quant',
      message: `this repository holds ${choices.length} GGUF models; pick one by quantization (\`quant\`) or by name (\`file\`): ${known}`,
    },
  ]);
}
