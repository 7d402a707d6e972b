import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface PackageJson {
  name?: string;
  exports?: Record<string, string | { default?: string }>;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Tests import workspace packages from source, so a test run needs no build and sees the code as it
 * is now. The packaging itself (dist, exports, require(esm)) is tested separately against the build.
 * Derived from each package's `exports` map (`./dist/x.js` → `./src/x.ts`), so a new package or
 * subpath export needs no line here. Longer subpaths come first so `@vramkit/quant/testing` wins over
 * `@vramkit/quant`.
 */
export const sourceAliases = readdirSync(here('./packages'))
  .filter((dir) => existsSync(here(`./packages/${dir}/package.json`)))
  .flatMap((dir) => {
    const pkg = JSON.parse(readFileSync(here(`./packages/${dir}/package.json`), 'utf8')) as PackageJson;
    const name = pkg.name;
    if (!name || !pkg.exports) return [];
    return Object.entries(pkg.exports).flatMap(([subpath, target]) => {
      const file = typeof target === 'string' ? target : target.default;
      if (!file || !/\.(js|ts)$/.test(file) || subpath === './package.json') return [];
      const source = file.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts');
      const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
      return [
        {
          find: new RegExp(`^${escapeRegExp(specifier)}$`),
          replacement: here(`./packages/${dir}/${source.slice(2)}`),
          length: specifier.length,
        },
      ];
    });
  })
  .sort((a, b) => b.length - a.length)
  .map(({ find, replacement }) => ({ find, replacement }));

/**
 * Imports `.wgsl` files as their source text, as the build does (tsup `loader: { '.wgsl': 'text' }`);
 * a project that imports `@vramkit/kernels-webgpu` from source adds it to `plugins`.
 */
export const wgslText = {
  name: 'vramkit-wgsl-text',
  transform(code: string, id: string) {
    return id.endsWith('.wgsl') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};
