import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attentionForwardBytes } from '@vramkit/core';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserReport } from './__fixtures__/browser-page.js';

const CHROMIUM = '/usr/bin/chromium';
// WebGPU on SwiftShader in headless Chromium, with nothing reaching for the network or a profile.
const FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--no-first-run',
];
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const available = existsSync(CHROMIUM);
if (!available) {
  const hint = `no ${CHROMIUM}: apt-get install -y chromium libvulkan1`;
  if (process.env.CI === 'true') throw new Error(`${hint}; CI must run the browser check`);
  console.warn(`skipping the browser check: ${hint}`);
}

let server: Server | undefined;
let profile: string | undefined;
afterAll(() => {
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe.runIf(available)('the package in a browser', () => {
  it('runs naive and flash attention and the probe in headless Chromium (WebGPU on SwiftShader)', async () => {
    // Bundle the page from source, as an app's bundler would bundle the published package.
    const bundle = await build({
      entryPoints: [here('./__fixtures__/browser-page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      loader: { '.wgsl': 'text' },
      plugins: [
        {
          name: 'core-source',
          setup: (b) => b.onResolve({ filter: /^@vramkit\/core$/ }, () => ({ path: here('../../core/src/index.ts') })),
        },
      ],
      logLevel: 'silent',
    });
    const js = bundle.outputFiles[0]!.text;
    expect(js).not.toMatch(/from ["']node:/);
    const html =
      '<!doctype html><meta charset="utf-8"><title>kernels</title><script type="module" src="/page.js"></script>';
    server = createServer((req, res) => {
      const isJs = req.url === '/page.js';
      res.writeHead(200, { 'content-type': isJs ? 'text/javascript' : 'text/html' });
      res.end(isJs ? js : html);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    profile = mkdtempSync(join(tmpdir(), 'vramkit-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });
    try {
      const page = await context.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(m.text()));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(
        () => typeof (globalThis as unknown as { runKernels?: unknown }).runKernels === 'function',
      );
      const report = (await page.evaluate(() =>
        (globalThis as unknown as { runKernels: () => Promise<unknown> }).runKernels(),
      )) as BrowserReport;
      expect(report.error, logs.join('\n')).toBeUndefined();
      expect(report.validation).toBeNull();
      expect(report.naiveMaxDiff).toBeLessThan(1e-4);
      expect(report.flashMaxDiff).toBeLessThan(1e-4);
      expect(report.naiveForwardBytes).toBe(
        attentionForwardBytes({ kind: 'naive', batch: 1, heads: 2, queryTokens: 33, headDim: 8, elementBytes: 4 })
          .bytes,
      );
      expect(report.adapter).toMatch(/swiftshader/i);
      expect(report.isCpuAdapter).toBe(true);
      expect(report.readGBps).toBeGreaterThan(0);
      expect(report.gflops).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});
