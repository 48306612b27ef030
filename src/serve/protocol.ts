// Messages between the server thread and its inference workers (structured clone; image bytes are transferred).
import type { Recognition } from '../recognizer/core.js';

export interface WorkerInit {
  /** Model folder (undefined: the shipped model). */
  model?: string;
  /** onnxruntime intra-op threads in this worker. */
  threads: number;
  maxSide?: number;
}

/** What GET /v1/model reports, read from model.json in the worker that loaded it. */
export interface ModelInfo {
  name: string;
  kind: string;
  description: string | null;
  classes: string[];
  encoder: string | null;
  featureDim: number | null;
  precision: string | null;
  colour: string;
  /** Training data specs from the export's training config (what the model has seen); [] when not recorded. */
  trainingData: string[];
  /** Commit the model was exported from, when recorded. */
  commit: string | null;
}

export interface BatchRequest {
  type: 'batch';
  id: number;
  items: Array<{ bytes: Uint8Array; detect: boolean }>;
}

export type ItemResult =
  | { ok: true; recognition: Recognition; decodeMs: number; detectMs: number }
  /** kind 'input': the image could not be decoded (the client's fault, 4xx); 'internal': anything else (5xx). */
  | { ok: false; kind: 'input' | 'internal'; message: string };

export type WorkerMessage =
  | { type: 'ready'; model: ModelInfo; loadMs: number }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; results: ItemResult[]; inferenceMs: number; crops: number; workMs: number };
