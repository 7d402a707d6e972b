import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as root from './index.js';

const pkgUrl = new URL('../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(pkgUrl, 'utf8')) as { exports: Record<string, { types: string; default: string } | string> };
const tsup = readFileSync(new URL('../tsup.config.ts', import.meta.url), 'utf8');

const SUBPATHS = {
  inference: ['estimateInference', 'kvCacheBytes', 'prepareModel', 'InferenceWorkloadSchema'],
  serving: ['estimateServing', 'runEngine', 'solveGpuLayers', 'GPUS'],
  training: ['estimateTraining', 'planTraining'],
} as const;

describe('@vramkit/core subpath exports', () => {
  it.each(Object.keys(SUBPATHS))('declares ./%s in exports (types first), builds it with tsup and has its entry file', (name) => {
    const entry = pkg.exports[`./${name}`];
    expect(entry).toEqual({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` });
    expect(Object.keys(entry as object)[0]).toBe('types');
    expect(tsup).toContain(`'src/${name}.ts'`);
    expect(existsSync(new URL(`./${name}.ts`, import.meta.url))).toBe(true);
  });

  it.each(Object.entries(SUBPATHS))('resolves @vramkit/core/%s to the same functions as the root', async (name, names) => {
    const specifier = `@vramkit/core/${name}`;
    const mod = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
    for (const n of names) {
      expect(typeof mod[n], `${name}.${n}`).not.toBe('undefined');
      expect(mod[n]).toBe((root as Record<string, unknown>)[n]);
    }
    for (const [k, v] of Object.entries(mod)) expect((root as Record<string, unknown>)[k], `root exports ${k}`).toBe(v);
  });
});
