// Face alignment: a similarity transform (rotation, uniform scale, translation) that puts the two eye centres at
// fixed places of a canonical frame (square unless aspect says otherwise), as aligned FER datasets are made (eyes level, fixed inter-ocular
// distance), then an affine resample of the original pixels into that frame.
import { invalidParameter } from '../errors.js';
import type { RgbImage } from '../encoders/types.js';
import type { DetectedFace, Point } from './types.js';
import { warpAffine, type Affine } from './warp.js';

export interface AlignOptions {
  /** Width of the aligned crop in pixels; default 224 (faceres' input: the crop is made once at the largest
   *  size any model reads, and each model's preprocessing resizes it). */
  size?: number;
  /** Eye centres' height as a fraction of the crop's height; default 0.41 (median BlazeFace eye height on 282 FER+
   *  test crops, see bench/predict-align.ts and bench/results/predict-align.md: FER+ frames faces this way). */
  eyeY?: number;
  /** Distance between eye centres as a fraction of the crop's width; default 0.27 (same measurement). */
  eyeDistance?: number;
  /** Height / width of the crop; default 1 (square, as FER+). SFEW's official crops are 143 x 181 (1.266): a model
   *  that learned from them reads photos best when they are framed the same way (ALIGN_FRAMES.sfew). */
  aspect?: number;
}

export const DEFAULT_ALIGN_OPTIONS: Required<AlignOptions> = { size: 224, eyeY: 0.41, eyeDistance: 0.27, aspect: 1 };

/** Named canonical frames: where BlazeFace puts the eyes in a training set's own crops (medians, measured by
 *  bench/predict-align.ts, bench/results/predict-align.md), so that faces cut from photos are framed like the crops
 *  a model learned from. `cafe export --align-frame NAME` records one in the model folder. */
export const ALIGN_FRAMES = {
  /** FER2013 / FER+: 48 x 48, eyes at 0.41 of the height, 0.27 of the width apart. */
  ferplus: { eyeY: 0.41, eyeDistance: 0.27, aspect: 1 },
  /** SFEW 2.0's official aligned crops: 143 x 181, eyes higher and the face wider in the frame. */
  sfew: { eyeY: 0.25, eyeDistance: 0.37, aspect: 181 / 143 },
} as const satisfies Record<string, Required<Omit<AlignOptions, 'size'>>>;
export type AlignFrameName = keyof typeof ALIGN_FRAMES;

/** `name` as a frame name, or an error naming `what` (a flag or option) that lists the frames. */
export function alignFrameName(name: string, what: string): AlignFrameName {
  if (!Object.hasOwn(ALIGN_FRAMES, name)) throw invalidParameter(what, Object.keys(ALIGN_FRAMES).join(' or '), name);
  return name as AlignFrameName;
}

/** Frame names separated by commas, each checked (an error names `what`). */
export function frameNames(text: string, what: string): AlignFrameName[] {
  return text.split(',').map((n) => alignFrameName(n, what));
}

/** A --tta-frames value: 'none', or frame names separated by commas, as frames (eyeY, eyeDistance, aspect). */
export function frameListFlag(text: string, what: string): Array<Required<Omit<AlignOptions, 'size'>>> {
  return text === 'none' ? [] : frameNames(text, what).map((n) => ({ ...ALIGN_FRAMES[n] }));
}

/** Whether `n` is an aligned-crop width the warp accepts: a whole number of pixels in [16, 1024]. */
export function isAlignSize(n: number): boolean {
  return Number.isInteger(n) && n >= 16 && n <= 1024;
}

export interface AlignedFace {
  /** The aligned crop, size x round(size x aspect) RGB. */
  image: RgbImage;
  /** Maps crop pixel coordinates to source-image coordinates (for drawing crop-space results back). */
  toSource: Affine;
}

/**
 * The crop->image map for eyes (image-left eye first). For a face whose eyes are degenerate (coincide), falls back
 * to the detector box so a bad landmark never throws mid-batch.
 */
export function alignmentMap(leftInImage: Point, rightInImage: Point, box: DetectedFace['box'], o: Required<AlignOptions>): Affine {
  const S = o.size;
  const H = cropHeight(o);
  const dx = rightInImage.x - leftInImage.x;
  const dy = rightInImage.y - leftInImage.y;
  const dist = Math.hypot(dx, dy);
  if (!(dist > 1e-3)) {
    const s = Math.max(box.width, box.height) / S;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    return { a: s, b: 0, c: cx - (S / 2) * s, d: 0, e: s, f: cy - (H / 2) * s };
  }
  // Image units per crop pixel, and the eye line's direction in the image.
  const s = dist / (o.eyeDistance * S);
  const cos = (dx / dist) * s;
  const sin = (dy / dist) * s;
  // Crop point (u, v) relative to the canonical eye midpoint maps to the image eye midpoint rotated by the eye angle.
  const mu = S / 2;
  const mv = o.eyeY * H;
  const mx = (leftInImage.x + rightInImage.x) / 2;
  const my = (leftInImage.y + rightInImage.y) / 2;
  return { a: cos, b: -sin, c: mx - cos * mu + sin * mv, d: sin, e: cos, f: my - sin * mu - cos * mv };
}

/** The crop's height in pixels: size x aspect, rounded. */
export function cropHeight(o: Required<AlignOptions>): number {
  return Math.max(1, Math.round(o.size * o.aspect));
}

function resolve(options: AlignOptions): Required<AlignOptions> {
  const o = { ...DEFAULT_ALIGN_OPTIONS, ...options };
  if (!isAlignSize(o.size)) throw invalidParameter('align size', 'an integer in [16, 1024]', o.size);
  checkAlignFrame(o);
  return o;
}

/** Checks a frame's eye places and aspect (its width is checked apart); the error names the field. */
export function checkAlignFrame(o: Required<Omit<AlignOptions, 'size'>>): void {
  if (!(o.eyeY > 0 && o.eyeY < 1)) throw invalidParameter('eyeY', 'a fraction in (0, 1)', o.eyeY);
  if (!(o.eyeDistance > 0 && o.eyeDistance < 1)) throw invalidParameter('eyeDistance', 'a fraction in (0, 1)', o.eyeDistance);
  if (!(o.aspect >= 0.25 && o.aspect <= 4)) throw invalidParameter('aspect', 'a height / width ratio in [0.25, 4]', o.aspect);
}

/** Cuts the aligned crop of one detected face out of `img`. */
export function alignFace(img: RgbImage, face: DetectedFace, options: AlignOptions = {}): AlignedFace {
  const o = resolve(options);
  // BlazeFace's keypoint 0 is the subject's right eye, on the image's left for an upright face.
  const m = alignmentMap(face.landmarks[0], face.landmarks[1], face.box, o);
  return { image: warpAffine(img, m, o.size, cropHeight(o), 'replicate'), toSource: m };
}

/** Applies a map to a point. */
export function applyAffine(m: Affine, p: Point): Point {
  return { x: m.a * p.x + m.b * p.y + m.c, y: m.d * p.x + m.e * p.y + m.f };
}
