// The browser runtime: bytes come from fetch, onnxruntime-web (wasm, CPU) runs the ONNX graphs (detector included),
// tfjs-wasm only the stand-in model (human's emotion net). Nothing here (or reachable from src/browser) may import a
// Node built-in, sharp or onnxruntime-node.
import * as ort from 'onnxruntime-web/wasm';
import { CafeError, fileError } from '../errors.js';
import { initTfjs } from '../runtime/tfjs.js';
import type { Ort, Runtime } from '../runtime/types.js';

export interface WebRuntimeOptions {
  /** Folder URL of @vladmandic/human's models (blazeface.json, faceres.json and their .bin files), e.g.
   *  '/node_modules/@vladmandic/human/models/' or a copy on your own server. Required: cafe never picks a CDN for you. */
  humanModels: string;
  /** Folder URL holding ort-wasm-simd-threaded.wasm and .mjs (onnxruntime-web/dist); default: beside the cafe bundle. */
  ortWasm?: string;
  /** Folder URL holding tfjs-backend-wasm*.wasm (@tensorflow/tfjs-backend-wasm/dist); default: beside the bundle. */
  tfjsWasm?: string;
  /** onnxruntime-web threads; default 1 (more needs a cross-origin-isolated page: COOP/COEP headers). */
  threads?: number;
  /** fetch to use (default: globalThis.fetch); e.g. one that adds credentials. */
  fetch?: typeof fetch;
}

/** An absolute URL for `location` (relative ones are taken against the page). */
function absolute(location: string): URL {
  const base = typeof globalThis.location !== 'undefined' ? globalThis.location.href : undefined;
  try {
    return new URL(location, base);
  } catch {
    throw new CafeError(`'${location}' is not a URL (relative URLs need a page to resolve against)`);
  }
}

const folder = (url: string): string => (url.endsWith('/') ? url : `${url}/`);

export function createWebRuntime(options: WebRuntimeOptions, bundleDir?: string): Runtime {
  if (typeof options?.humanModels !== 'string' || !options.humanModels) {
    throw new CafeError("Expected a folder URL for humanModels (where @vladmandic/human's models are served) but received " + String(options?.humanModels));
  }
  const get = options.fetch ?? globalThis.fetch.bind(globalThis);
  const ortWasm = options.ortWasm ?? bundleDir;
  if (ortWasm) ort.env.wasm.wasmPaths = folder(absolute(ortWasm).href);
  ort.env.wasm.numThreads = options.threads ?? 1;
  const tfjsWasm = options.tfjsWasm ?? bundleDir;

  const runtime: Runtime = {
    name: 'web',
    ort: ort as unknown as Ort,
    async read(location) {
      let res: Response;
      try {
        res = await get(absolute(location).href);
      } catch (err) {
        throw fileError(location, `cannot fetch (${(err as Error).message})`);
      }
      if (!res.ok) throw fileError(location, `HTTP ${res.status}${res.status === 404 ? ' (not found)' : ''}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    async exists(location) {
      const url = absolute(location).href;
      try {
        const head = await get(url, { method: 'HEAD' });
        // Some hosts refuse HEAD: ask with GET then (and drop the body).
        if (head.status !== 405 && head.status !== 501) return head.ok;
        const res = await get(url);
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    },
    join: (dir, rel) => new URL(rel, folder(absolute(dir).href)).href,
    dirname: (location) => new URL('.', absolute(location)).href,
    tf: () => initTfjs(tfjsWasm ? folder(absolute(tfjsWasm).href) : undefined, false),
    humanModels: options.humanModels,
    humanModelsHint: "serve the models/ folder of @vladmandic/human at the humanModels URL",
    threads: undefined,
    // Nothing is cached in the browser: the location is identity enough.
    weightsHash: async (locations) => locations.join('|'),
  };
  return runtime;
}
