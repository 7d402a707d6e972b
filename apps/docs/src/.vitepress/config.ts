import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitepress';

const lib = (f: string) => fileURLToPath(new URL(`../lib/${f}`, import.meta.url));
const kernelsPackage = fileURLToPath(new URL('../../../../packages/kernels-webgpu/package.json', import.meta.url));

/**
 * `virtual:vramkit-kernels` is `@vramkit/kernels-webgpu`'s probe when the workspace has that package,
 * else a module that says it is missing, so the rest of the site never depends on it.
 */
function kernelsModule(): Plugin {
  return {
    name: 'vramkit-kernels',
    enforce: 'pre',
    resolveId(id) {
      if (id !== 'virtual:vramkit-kernels') return undefined;
      return existsSync(kernelsPackage) ? lib('kernels-present.ts') : lib('kernels-missing.ts');
    },
  };
}

/** The vramkit docs site. `base` lets the plain files be served from a sub-path (DOCS_BASE=/vramkit/). */
export default defineConfig({
  title: 'vramkit',
  description: 'How much GPU memory does this LLM need, and will it fit? Exact where arithmetic allows.',
  lang: 'en',
  base: process.env.DOCS_BASE ?? '/',
  outDir: '../dist',
  srcExclude: ['generated/**'],
  cacheDir: fileURLToPath(new URL('../../node_modules/.cache/vitepress', import.meta.url)),
  cleanUrls: false,
  lastUpdated: false,
  // TypeDoc copies package READMEs into api/_media; their links point into the repository, not the site.
  ignoreDeadLinks: [/^\.\/(\.\.\/)*(apps|docs|packages|validation|bench|tests|README|CONTRIBUTING)/],
  themeConfig: {
    nav: [
      { text: 'Calculator', link: '/calculator' },
      { text: 'Your GPU', link: '/gpu' },
      { text: 'Guides', link: '/guides/weights' },
      { text: 'Accuracy', link: '/accuracy' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/guides/': [
        {
          text: 'Guides',
          items: [
            { text: 'Weights and formats', link: '/guides/weights' },
            { text: 'KV cache', link: '/guides/kv-cache' },
            { text: 'Activations', link: '/guides/activations' },
            { text: 'Training', link: '/guides/training' },
            { text: 'Engines', link: '/guides/engines' },
            { text: 'Seed corrections', link: '/guides/seed-corrections' },
          ],
        },
      ],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
  vite: {
    plugins: [kernelsModule()],
    build: { chunkSizeWarningLimit: 1500 },
  },
});
