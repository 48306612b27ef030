// Inference worker thread: one recognizer (decode with sharp, BlazeFace on tfjs-wasm, the model on onnxruntime),
// scoring each batch the server hands it in one model call (recognizeBatch). Everything heavy runs here, off the
// server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { CafeError } from '../errors.js';
import { createRecognizer } from '../recognizer/recognizer.js';
import type { CafeManifest } from '../export/manifest.js';
import type { BatchRequest, ItemResult, ModelInfo, WorkerInit, WorkerMessage } from './protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (m: WorkerMessage) => port.postMessage(m);

function modelInfo(m: CafeManifest): ModelInfo {
  const src = (m.source ?? {}) as { commit?: string; trainingConfig?: { data?: { train?: string | string[] } } };
  const train = src.trainingConfig?.data?.train;
  return {
    name: m.name,
    kind: m.kind,
    description: m.description ?? null,
    classes: m.classes,
    encoder: m.encoder ?? m.encoderFile ?? null,
    featureDim: m.featureDim ?? null,
    precision: m.precision ?? null,
    colour: m.colour ?? 'rgb',
    trainingData: train === undefined ? [] : Array.isArray(train) ? train : [train],
    commit: src.commit ?? null,
  };
}

try {
  const t0 = performance.now();
  const fer = await createRecognizer({ model: init.model, threads: init.threads, maxSide: init.maxSide });
  send({ type: 'ready', model: modelInfo(fer.model.manifest), loadMs: performance.now() - t0 });
  port.on('message', async (req: BatchRequest) => {
    const t1 = performance.now();
    try {
      const out = await fer.recognizeBatch(req.items.map((it) => ({ input: it.bytes, detect: it.detect })));
      const results = out.results.map((r): ItemResult =>
        r.ok
          ? { ok: true, recognition: r.recognition, decodeMs: r.decodeMs, detectMs: r.detectMs }
          : // The Node decoder reports unreadable images as CafeErrors; anything else is ours.
            { ok: false, kind: r.error instanceof CafeError ? 'input' : 'internal', message: r.error.message.split('\n')[0] },
      );
      send({ type: 'result', id: req.id, results, inferenceMs: out.inferenceMs, crops: out.crops, workMs: performance.now() - t1 });
    } catch (err) {
      const message = (err as Error).message.split('\n')[0];
      send({ type: 'result', id: req.id, results: req.items.map(() => ({ ok: false, kind: 'internal', message })), inferenceMs: 0, crops: 0, workMs: performance.now() - t1 });
    }
  });
} catch (err) {
  send({ type: 'fatal', message: (err as Error).message });
}
