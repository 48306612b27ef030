// MobileNetV2's stage table (torchvision, width 1.0), shared by the model (mobilenetv2.ts) and the ONNX exporter,
// which must not import the training core.
/** [expansion t, channels c, repeats n, stride s] per stage. */
export const MOBILENETV2_SETTINGS: ReadonlyArray<readonly [number, number, number, number]> = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];
