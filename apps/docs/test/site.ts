import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

/** The built site. */
export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
/** Debian's Chromium (CI installs it in .ci/run). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A loopback server for the built site; `/__hub/*` is passed to a loopback Hub, so the page fetches same-origin. */
export interface SiteServer {
  url: string;
  /** Bytes sent per path (for the page-weight budget). */
  sent: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Serves `dist/` as plain files on 127.0.0.1, as any static host would.
 * @param hubUrl a loopback Hub (startHubServer) to expose under `/__hub`
 */
export async function serveSite(hubUrl?: string): Promise<SiteServer> {
  const sent = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (hubUrl && url.pathname.startsWith('/__hub/')) {
      const target = new URL(url.pathname.slice('/__hub'.length) + url.search, hubUrl);
      const headers = { ...req.headers, host: target.host };
      const proxied = request(target, { method: req.method, headers }, (up) => {
        const h = { ...up.headers };
        // The loopback Hub redirects LFS files to its own origin; keep the browser on the proxy.
        if (typeof h.location === 'string' && h.location.startsWith(hubUrl))
          h.location = `/__hub${h.location.slice(hubUrl.length)}`;
        else if (typeof h.location === 'string' && h.location.startsWith('/')) h.location = `/__hub${h.location}`;
        res.writeHead(up.statusCode ?? 502, h);
        up.pipe(res);
      });
      proxied.on('error', () => res.writeHead(502).end());
      req.pipe(proxied);
      return;
    }
    let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    if (path.endsWith('/')) path += 'index.html';
    let file = join(DIST, path);
    if (!existsSync(file) && existsSync(`${file}.html`)) file = `${file}.html`;
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const size = statSync(file).size;
    sent.set(url.pathname, size);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Headless Chromium through playwright-core, with a fresh profile and no background traffic. */
export function launch(extraArgs: string[] = [], options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-dev-shm-usage',
      ...extraArgs,
    ],
    ...options,
  });
}

/** Where CI artefacts (screenshots, timings) go. */
export const ARTEFACTS = fileURLToPath(new URL('../test-results/', import.meta.url));
