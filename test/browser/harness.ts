// Runs a page in headless Chromium against a local static server and returns what the page POSTs to /result.
// Used by the browser test and bench/browser.ts. Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from '../../scripts/static-server.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const MISSING = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`;
// CI sets CAFE_REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
if (!existsSync(CHROMIUM) && process.env.CAFE_REQUIRE_BROWSER === '1') throw new Error(`CAFE_REQUIRE_BROWSER=1 but ${MISSING}`);
/** A skip reason when Chromium is absent, else false. */
export const NO_CHROMIUM = existsSync(CHROMIUM) ? false : MISSING;

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
  /** Extra Chromium flags (e.g. a fake camera: --use-fake-device-for-media-stream). */
  chromeArgs?: string[];
}

/**
 * Serves `mounts` plus `pages`, opens `page` in headless Chromium and resolves with the JSON the page POSTs to
 * /result.
 */
export async function runPage<T>({ mounts, pages, page, timeoutMs = 240_000, isolate = false, chromeArgs = [] }: PageSpec): Promise<PageRun<T>> {
  let resolveResult!: (v: T) => void;
  const posted = new Promise<T>((r) => (resolveResult = r));
  const { server, port } = await serveStatic({
    mounts,
    pages,
    isolate,
    onPost: (url, body) => {
      if (url === '/result') resolveResult(JSON.parse(body.toString('utf8')));
    },
  });
  const profile = mkdtempSync(join(tmpdir(), 'cafe-chromium-'));
  // The flags Chromium needs on a machine with no outside network (no background fetches, no sandbox as root).
  const chrome = spawn(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--enable-logging=stderr', '--v=0', `--user-data-dir=${profile}`, ...chromeArgs, `http://127.0.0.1:${port}${page}`],
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
