import { createRequire } from 'node:module';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

const require = createRequire(import.meta.url);

/**
 * Third-party modules the CLI reaches only inside functions on the network or file paths it may not
 * take (the Hub client, the GGUF reader, the trainer-YAML parser). Their static imports in
 * `@vramkit/models` and the CLI would load them, and everything they import, on every start; the
 * bundle gets a facade instead whose exports load the real module (its CommonJS build, synchronously)
 * on first use. Only modules whose imported bindings are functions or plain objects qualify.
 */
const LAZY_MODULES = ['@huggingface/hub', '@huggingface/gguf', 'yaml'];

function lazyModules(names: readonly string[]): Plugin {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
  return {
    name: 'vramkit-lazy-modules',
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.namespace === 'lazy-module'
          ? { path: args.path, external: true }
          : { path: args.path, namespace: 'lazy-module' },
      );
      build.onLoad({ filter: /.*/, namespace: 'lazy-module' }, (args) => {
        const real = require(args.path) as Record<string, unknown>;
        const lines = Object.keys(real)
          .filter((name) => name !== 'default' && name !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(name))
          .map((name) => {
            const at = `load()[${JSON.stringify(name)}]`;
            if (typeof real[name] === 'function')
              return `export function ${name}(...args) { return new.target ? Reflect.construct(${at}, args, new.target) : ${at}.apply(this, args); }`;
            if (typeof real[name] === 'object' && real[name] !== null) {
              return `export const ${name} = new Proxy({}, { get: (_, k) => ${at}[k], has: (_, k) => k in ${at}, ownKeys: () => Reflect.ownKeys(${at}), getOwnPropertyDescriptor: (_, k) => { const d = Reflect.getOwnPropertyDescriptor(${at}, k); return d && { ...d, configurable: true }; } });`;
            }
            return '';
          });
        const contents = `import { createRequire } from 'node:module';\nlet real;\nconst load = () => (real ??= createRequire(import.meta.url)(${JSON.stringify(args.path)}));\n${lines.join('\n')}\n`;
        return { contents, loader: 'js', resolveDir: process.cwd() };
      });
    },
  };
}

export default defineConfig([
  // The library entry (`import { main } from '@vramkit/cli'`): workspace packages stay dependencies.
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    // dist/bin is the other build's, running at the same time.
    clean: ['!bin/**'],
    target: 'es2022',
    tsconfig: 'tsconfig.build.json',
  },
  // The `vramkit` binary: one file with the workspace packages inlined (no package resolution at
  // start), code split at dynamic imports so zod (config files, `vramkit schema`) loads only where
  // used, and the lazy facades above. Measured by bench/cold-start.mjs.
  {
    entry: { vramkit: 'src/bin.ts' },
    outDir: 'dist/bin',
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: true,
    splitting: true,
    minify: true,
    target: 'node20',
    platform: 'node',
    tsconfig: 'tsconfig.build.json',
    // The lazy modules are listed so that tsup hands them to the plugin rather than marking them external.
    noExternal: [/^@vramkit\//, ...LAZY_MODULES],
    esbuildPlugins: [lazyModules(LAZY_MODULES)],
  },
]);
