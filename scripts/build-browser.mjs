// Builds the browser bundle: one ES module (cafe + tfjs + onnxruntime-web's wasm build) and, beside it, the .wasm
// files it loads by default. Usage: node scripts/build-browser.mjs [--out DIR] [--no-minify]
// Platform 'browser' with no Node built-ins allowed: a Node-only import reachable from src/browser fails the build.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outDir = resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : join(root, 'dist', 'browser'));
const minify = !args.includes('--no-minify');

/** Files the bundle fetches at run time: onnxruntime-web's CPU build (.wasm + its loader, which it imports from
 *  the same folder) and tfjs-backend-wasm's three flavours (picked by what the browser supports). */
export const WASM_FILES = [
  ['onnxruntime-web', 'ort-wasm-simd-threaded.wasm'],
  ['onnxruntime-web', 'ort-wasm-simd-threaded.mjs'],
  ['@tensorflow/tfjs-backend-wasm', 'tfjs-backend-wasm.wasm'],
  ['@tensorflow/tfjs-backend-wasm', 'tfjs-backend-wasm-simd.wasm'],
  ['@tensorflow/tfjs-backend-wasm', 'tfjs-backend-wasm-threaded-simd.wasm'],
];

export async function buildBrowser({ out = outDir, minified = minify } = {}) {
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: [join(root, 'src', 'browser', 'index.ts')],
    outfile: join(out, 'cafe.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: minified,
    // A map of the minified bundle would be 5x its size; an unminified build (--no-minify) carries one for debugging.
    sourcemap: !minified,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  const req = createRequire(join(root, 'package.json'));
  for (const [pkg, file] of WASM_FILES) {
    // Package folders found through node_modules resolution paths (some packages do not export package.json).
    const dir = req.resolve.paths(pkg).map((p) => join(p, pkg)).find((p) => { try { return statSync(join(p, 'package.json')).isFile(); } catch { return false; } });
    if (!dir) throw new Error(`${pkg} is not installed: run npm install`);
    copyFileSync(join(dir, 'dist', file), join(out, file));
  }
  return { file: join(out, 'cafe.mjs'), bytes: statSync(join(out, 'cafe.mjs')).size, inputs: Object.keys(result.metafile.inputs) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildBrowser();
  console.log(`${r.file}: ${(r.bytes / 1e6).toFixed(2)} MB, ${r.inputs.length} modules; .wasm files beside it`);
}
