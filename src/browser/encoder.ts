// The encoders a browser can run, over the web Runtime: faceres, faceres-bands and facemesh (from human's models), onnx:URL (e.g. a model
// folder's encoderFile). The browser entry (index.ts) hands this factory to the recognizer beside the Runtime.
import { CafeError } from '../errors.js';
import { createFaceres } from '../encoders/faceres.js';
import { createFacemesh } from '../encoders/facemesh.js';
import { createOnnxEncoder } from '../encoders/onnx-encoder.js';
import { validatePreprocess } from '../encoders/preprocess.js';
import type { EncoderFactory } from '../encoders/types.js';
import { withConcat } from '../encoders/concat.js';
import { readJson, type Runtime } from '../runtime/types.js';

/** The browser's encoder factory over `runtime` (a web Runtime: locations are URLs). */
export function webEncoders(runtime: Runtime): EncoderFactory {
  return withConcat(webSingle(runtime), ['faceres', 'faceres-bands', 'facemesh', 'onnx']);
}

function webSingle(runtime: Runtime): EncoderFactory {
  return async (spec, opts) => {
    if (spec === 'faceres') return createFaceres(opts, runtime);
    if (spec === 'faceres-bands') return createFaceres({ ...opts, bands: true }, runtime);
    if (spec === 'facemesh') return createFacemesh(opts, runtime);
    if (spec.startsWith('onnx:')) {
      const url = spec.slice('onnx:'.length);
      const sidecar = url.replace(/\.onnx$/i, '') + '.preprocess.json';
      const preprocess = opts.preprocess ?? validatePreprocess(await readJson(runtime, sidecar, 'preprocessing'), sidecar);
      return createOnnxEncoder({ name: spec, model: await runtime.read(url), source: url, weightsHash: url, preprocess }, opts, runtime);
    }
    // centernet-bands and hog (measured levers, in no shipped model) and CLIP are Node-only; --with-encoder packs faceres only.
    throw new CafeError(`encoder '${spec}' cannot run in the browser: it runs faceres, faceres-bands, facemesh, their '+' fusions and onnx:URL (a faceres model can carry its encoder in the folder: cafe export --with-encoder)`);
  };
}
