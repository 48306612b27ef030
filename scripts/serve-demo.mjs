// `npm run demo`: builds the browser bundle and serves examples/browser/index.html with the shipped model on
// http://127.0.0.1:PORT/ (cross-origin isolated, so onnxruntime-web can use threads).
// Usage: node scripts/serve-demo.mjs [--port 8080] [--model DIR] [--photos DIR (served at /photos/, open ?src=/photos/x.jpg)]
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowser } from './build-browser.mjs';
import { serveStatic } from './static-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const model = resolve(arg('--model', join(root, 'models', 'cafe-ferplus')));
if (!existsSync(join(model, 'model.json'))) throw new Error(`${model}: no model.json (pass --model DIR, a folder written by cafe export)`);
const req = createRequire(join(root, 'package.json'));
const human = req.resolve.paths('@vladmandic/human').map((p) => join(p, '@vladmandic/human', 'models')).find((p) => existsSync(join(p, 'blazeface.json')));
if (!human) throw new Error('@vladmandic/human is not installed: run npm install');

const built = await buildBrowser({ out: join(root, 'dist', 'browser') });
const { port } = await serveStatic({
  mounts: { '/dist/': dirname(built.file), '/model/': model, '/human/': human, ...(args.includes('--photos') ? { '/photos/': resolve(arg('--photos')) } : {}), '/': join(root, 'examples', 'browser') },
  pages: {},
  isolate: true,
  port: Number(arg('--port', '8080')),
});
console.log(`cafe demo: http://127.0.0.1:${port}/index.html (model ${model}); Ctrl-C to stop`);
