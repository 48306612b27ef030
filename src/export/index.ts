// Deployment export: training run -> ONNX model folder (no libtorch needed to run it, nor to export it).
export { exportRun, runHead, maxAbsDiff, type ExportOptions, type ExportResult } from './export-run.js';
export { writeAtomic } from '../util/atomic.js';
export { buildHeadGraph, DEFAULT_HEAD_MODEL, type HeadModelConfig, type HeadGraphOptions } from './cafe-onnx.js';
export { loadManifest, parseManifest, MANIFEST_FILE, MANIFEST_FORMAT, type CafeManifest } from './manifest.js';
export { readSafetensorsPlain, f32ToF16, type PlainTensor } from './safetensors-read.js';
