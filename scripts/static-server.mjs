// A small static file server for the browser build: the browser test, bench/browser.ts and `npm run demo` serve the
// bundle, the model and human's models with it. Folders are mounted under URL prefixes; nothing outside them is served.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};

/**
 * Starts a server on 127.0.0.1 (port 0 = any free one). `mounts`: URL prefix -> folder; `pages`: URL -> body;
 * `isolate`: COOP/COEP headers (cross-origin isolation, needed for wasm threads); `onPost(url, body)`: POST handler.
 * Resolves with { server, port }.
 */
export async function serveStatic({ mounts = {}, pages = {}, isolate = false, port = 0, onPost } = {}) {
  const extra = isolate ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (req.method === 'POST' && onPost) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.end('ok');
        onPost(url, Buffer.concat(chunks));
      });
      return;
    }
    if (pages[url] !== undefined) {
      res.writeHead(200, { ...extra, 'content-type': TYPES[extname(url)] ?? 'application/octet-stream' });
      return void res.end(pages[url]);
    }
    const prefix = Object.keys(mounts).find((p) => url.startsWith(p));
    const file = prefix ? normalize(join(mounts[prefix], url.slice(prefix.length))) : undefined;
    if (!file || !file.startsWith(normalize(mounts[prefix]) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return void res.end('not found');
    }
    res.writeHead(200, { ...extra, 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, port: server.address().port };
}
