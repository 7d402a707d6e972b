import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinFormats, createFormatRegistry, createFormatSetup, formatFromQuantizationConfig } from '@vramkit/quant';
import { describe, expect, it } from 'vitest';
import { quantCommand } from './commands/quant.js';
import { loadFormatPlugins, loadPlugins, PluginExportsNoFormatsError, PluginNotFoundError } from './plugins.js';

// packages/quant-aqlm is loaded from its build (dist), as a user's install would: CI runs `turbo run build` first.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const aqlmDir = join(repoRoot, 'packages/quant-aqlm');
const qProj = {
  name: 'model.layers.0.self_attn.q_proj.weight',
  role: 'attn_q' as const,
  kind: 'weight' as const,
  layer: 0,
  shape: [4096, 4096],
};

async function runQuant(argv: string[], cwd: string) {
  let out = '';
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--json') values.json = true;
    else if (a === '--plugin') values.plugin = [...((values.plugin as string[]) ?? []), argv[++i] as string];
    else positionals.push(a);
  }
  const code = await quantCommand.run(
    { positionals, values },
    { out: (t) => (out += t), err: () => {}, env: { HOME: cwd }, cwd },
  );
  return { code, out };
}

describe('loadFormatPlugins', () => {
  it('loads packages/quant-aqlm by path and sizes a 4096×4096 matrix in aqlm-1x16 at 5,251,072 bytes through a composed registry', async () => {
    const formats = await loadFormatPlugins(['./packages/quant-aqlm'], repoRoot);
    expect(Object.keys(formats).sort()).toEqual(['aqlm', 'aqlm-1x16', 'aqlm-2x8']);
    const registry = createFormatRegistry(builtinFormats, formats);
    expect(registry.get('aqlm-1x16').bytesForTensor(qProj, { numLayers: 32 }).bytes).toBe(5_251_072);
    expect(registry.get('Q4_K_M').id).toBe('Q4_K_M');
  });

  it('loads @vramkit/quant-aqlm by package name from the workspace and brings its quantization_config detector', async () => {
    const plugins = await loadPlugins(['@vramkit/quant-aqlm'], aqlmDir);
    expect(plugins.loaded[0]?.formatIds).toContain('aqlm-2x8');
    const detected = formatFromQuantizationConfig(
      { quant_method: 'aqlm', num_codebooks: 2, nbits_per_codebook: 8, in_group_size: 8, out_group_size: 1 },
      undefined,
      {
        detectors: plugins.detectors,
      },
    );
    expect(detected.format.id).toBe('aqlm-2x8');
  });

  it('throws PluginNotFoundError (INVALID_INPUT, path plugins[0]) for a package that is not installed', async () => {
    await expect(loadFormatPlugins(['@vramkit/quant-does-not-exist'], repoRoot)).rejects.toSatisfy(
      (e: unknown) => e instanceof PluginNotFoundError && e.code === 'INVALID_INPUT' && e.path === 'plugins[0]',
    );
  });

  it('throws PluginExportsNoFormatsError for a module exporting only `answer`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vramkit-plugin-'));
    writeFileSync(join(dir, 'empty.mjs'), 'export const answer = 42;\n');
    await expect(loadFormatPlugins(['./empty.mjs'], dir)).rejects.toSatisfy(
      (e: unknown) => e instanceof PluginExportsNoFormatsError && e.exportNames.includes('answer'),
    );
  });
});

describe('plugin format ids', () => {
  it('keeps __proto__, constructor and toString as ordinary ids, without touching any prototype', async () => {
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    // Built by hand: defineWeightFormat refuses such ids, a plugin's own objects need not go through it.
    const made = ids.map((id, i) => ({
      specVersion: 'v1' as const,
      id,
      description: `test format ${id}`,
      bytesForTensor: (t: { shape: readonly number[] }) => ({
        bytes: (i + 1) * t.shape.reduce((a, b) => a * b, 1),
        type: id,
      }),
    }));
    // Object.fromEntries defines own keys, as a plugin's JSON or computed keys would.
    const formats = Object.fromEntries(made.map((f) => [f.id, f]));
    const plugins = await loadPlugins(['hostile-ids'], '/', {
      importer: async () => ({ file: 'hostile-ids.js', module: { formats } }),
    });
    expect(Object.keys(plugins.formats).sort()).toEqual([...ids].sort());
    expect(Object.getPrototypeOf(plugins.formats)).toBeNull();
    expect(plugins.loaded[0]?.formatIds).toEqual(ids);
    const registry = createFormatSetup([plugins]).registry;
    for (const [i, id] of ids.entries())
      expect(registry.get(id).bytesForTensor(qProj, { numLayers: 1 }).bytes).toBe((i + 1) * 4096 * 4096);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).bytesForTensor).toBeUndefined();
  });
});

describe('quantCommand', () => {
  it('lists Q4_K_M at 4.5000 bits/weight and the plugin formats with --plugin', async () => {
    const r = await runQuant(['list', '--plugin', './packages/quant-aqlm'], repoRoot);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Q4_K_M\s+4\.5000\s+Q4_K\s/m);
    expect(r.out).toMatch(/^aqlm-1x16\s+2\.\d{4}\s+aqlm-1x16\s/m);
  });

  it('reads plugins from the config file and prints --json rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vramkit-config-'));
    writeFileSync(join(dir, 'vramkit.config.json'), JSON.stringify({ plugins: [aqlmDir] }));
    const r = await runQuant(['list', '--json'], dir);
    const json = JSON.parse(r.out) as {
      formats: { id: string; bitsPerWeight: number | null }[];
      plugins: { specifier: string }[];
    };
    expect(json.plugins[0]?.specifier).toBe(aqlmDir);
    expect(json.formats.find((f) => f.id === 'ggml:Q8_0')?.bitsPerWeight).toBe(8.5);
    expect(json.formats.some((f) => f.id === 'aqlm-2x8')).toBe(true);
  });
});
