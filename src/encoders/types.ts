// The frozen-encoder contract: CAFE computes F = encoder(image) once per image and reuses it (see src/features).
// Encoders are inference-only and must not import src/torch.

/** An 8-bit image in memory: row-major, channels interleaved (1 = gray, 3 = RGB, 4 = RGBA; alpha is ignored). */
export interface RgbImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array; // [height * width * channels]
}

/** Images already preprocessed for this encoder: `data` is [N, 3, size, size] float32 (NCHW), as the model reads it. */
export interface PreprocessedBatch {
  kind: 'preprocessed';
  n: number;
  data: Float32Array;
}

/** What encode() accepts: raw uint8 images (preprocessed by the encoder's config) or a preprocessed batch. */
export type EncoderInput = RgbImage[] | PreprocessedBatch;

export type ResizeMethod =
  /** PIL-style separable bilinear (triangle filter, widened when downscaling = antialiased). torchvision's default. */
  | 'bilinear'
  /** PIL-style bicubic (a = -0.5), antialiased when downscaling: what CLIP's own preprocessing uses. */
  | 'bicubic'
  /** TensorFlow's legacy resizeBilinear (align_corners=false, half_pixel_centers=false, no antialias), as tfjs/human. */
  | 'bilinear-tf';

/** Preprocessing, stored as JSON beside the weights; its hash is part of every feature-cache key. */
export interface PreprocessConfig {
  /** Side of the square model input in pixels. */
  size: number;
  resize: ResizeMethod;
  /** 'center': resize the short side to `size` then centre-crop (CLIP). 'none': stretch to size x size (CAFE code). */
  crop: 'center' | 'none';
  /** 'rgb' keeps colour; 'gray' converts to luma (ITU-R 601) and repeats it on 3 channels. Gray inputs are always repeated. */
  colour: 'rgb' | 'gray';
  /** Pixels are divided by this before mean/std: 255 for [0, 1] models, 1 for models that read 0..255. */
  scale: number;
  /** Per-channel mean and std, applied after scaling: (x / scale - mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface Encoder {
  /** Registry name, e.g. 'faceres', 'clip-vit-b32', 'onnx:/path/model.onnx'. */
  readonly name: string;
  /** Feature dimension D. */
  readonly dim: number;
  readonly preprocess: PreprocessConfig;
  /** Hash of the weight files (sha256 hex), for cache keys: new weights invalidate cached features. */
  readonly weightsHash: string;
  /** Where the weights came from (for reports). */
  readonly weightsPath: string;
  /** Feature rows for a batch: [N, D] row-major. */
  encode(batch: EncoderInput): Promise<Float32Array>;
  /** Releases the runtime session. */
  dispose(): Promise<void>;
}

/** Options every encoder factory accepts. */
export interface EncoderOptions {
  /** Images per runtime call (default 32: large enough to amortise per-call cost, small enough for memory). */
  batchSize?: number;
  /** Intra-op threads for onnxruntime (default: all cores). */
  threads?: number;
  /** Overrides the preprocessing read from the model folder (e.g. the 'cafe' preset for CLIP). */
  preprocess?: PreprocessConfig;
}

/** An encoder by registry name ('faceres', 'onnx:LOCATION', and in Node also 'clip-vit-b32[:DIR]'): what a platform
 *  brings to the recognizer beside its Runtime (Node: createEncoder in registry.ts; the browser: webEncoders in
 *  src/browser/encoder.ts). */
export type EncoderFactory = (spec: string, opts: EncoderOptions) => Promise<Encoder>;
