// Runs a page in headless Chromium against a local static server and returns what the page POSTs to /result.
// Used by the browser test and bench/browser.ts. Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package).
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const MISSING = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`;
// CI sets CAFE_REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
if (!existsSync(CHROMIUM) && process.env.CAFE_REQUIRE_BROWSER === '1') throw new Error(`CAFE_REQUIRE_BROWSER=1 but ${MISSING}`);
/** A skip reason when Chromium is absent, else false. */
export const NO_CHROMIUM = existsSync(CHROMIUM) ? false : MISSING;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
};

export interface PageRun<T> {
  result: T;
  /** Chromium's stderr (console messages with --enable-logging), for failures. */
  log: string;
}

export interface PageSpec {
  /** URL prefix -> folder served under it. */
  mounts: Record<string, string>;
  /** URL -> body served as is. */
  pages: Record<string, string | Uint8Array>;
  /** The URL opened. */
  page: string;
  /** Give up after this long (default 240 s). */
  timeoutMs?: number;
  /** Send COOP/COEP headers so the page is cross-origin isolated (SharedArrayBuffer: wasm threads). */
  isolate?: boolean;
}

/**
 * Serves `mounts` plus `pages`, opens `page` in headless Chromium and resolves with the JSON the page POSTs to
 * /result.
 */
export async function runPage<T>({ mounts, pages, page, timeoutMs = 240_000, isolate = false }: PageSpec): Promise<PageRun<T>> {
  const extra: Record<string, string> = isolate ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  let resolveResult!: (v: T) => void;
  const posted = new Promise<T>((r) => (resolveResult = r));
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (req.method === 'POST' && url === '/result') {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.end('ok');
        resolveResult(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      return;
    }
    if (pages[url] !== undefined) {
      res.writeHead(200, { ...extra, 'content-type': TYPES[extname(url)] ?? 'application/octet-stream' });
      return void res.end(pages[url]);
    }
    const prefix = Object.keys(mounts).find((p) => url.startsWith(p));
    const file = prefix ? normalize(join(mounts[prefix], url.slice(prefix.length))) : undefined;
    if (!file || !file.startsWith(normalize(mounts[prefix!]) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return void res.end('not found');
    }
    res.writeHead(200, { ...extra, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const profile = mkdtempSync(join(tmpdir(), 'cafe-chromium-'));
  // The flags Chromium needs on a machine with no outside network (no background fetches, no sandbox as root).
  const chrome = spawn(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--enable-logging=stderr', '--v=0', `--user-data-dir=${profile}`, `http://127.0.0.1:${port}${page}`],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let log = '';
  chrome.stderr.on('data', (d) => (log += d.toString()));
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      posted,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the page posted no result in ${timeoutMs / 1000} s; Chromium said:\n${log.slice(-4000)}`)), timeoutMs))),
      new Promise<never>((_, reject) => chrome.on('exit', (code) => reject(new Error(`Chromium exited (${code}) before the page posted a result:\n${log.slice(-4000)}`)))),
    ]);
    return { result, log };
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-chrome.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(profile, { recursive: true, force: true });
  }
}
