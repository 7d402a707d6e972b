import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Tests import workspace packages from source, so a test run needs no build and sees the code as it
 * is now. The packaging itself (dist, exports, require(esm)) is tested separately against the build.
 */
export const sourceAliases = [
  { find: /^@vramkit\/core$/, replacement: here('./packages/core/src/index.ts') },
  { find: /^@vramkit\/quant\/testing$/, replacement: here('./packages/quant/src/testing.ts') },
  { find: /^@vramkit\/quant$/, replacement: here('./packages/quant/src/index.ts') },
  { find: /^@vramkit\/quant-aqlm$/, replacement: here('./packages/quant-aqlm/src/index.ts') },
  { find: /^@vramkit\/models\/node$/, replacement: here('./packages/models/src/node/index.ts') },
  { find: /^@vramkit\/models\/testing$/, replacement: here('./packages/models/src/testing/index.ts') },
  { find: /^@vramkit\/models$/, replacement: here('./packages/models/src/index.ts') },
  { find: /^@vramkit\/kernels-webgpu$/, replacement: here('./packages/kernels-webgpu/src/index.ts') },
];

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
