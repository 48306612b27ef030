// Re-framed encoder views (#11 lever 4): a training crop cut again in another source's canonical frame. FER+ crops
// are square with the eyes at 0.41 of the height; SFEW's official crops are 143 x 181 with the eyes at 0.25 and the
// face wider in the frame (ALIGN_FRAMES, measured by bench/predict-align.ts). A head trained on each source in its own
// frame only learns "SFEW-like face" together with "SFEW-like frame", and photos cut in either frame then lose on the
// other source's kind of face. A re-framed view shows the head FER+ faces in SFEW's frame and SFEW faces in FER+'s.
//
// No detector is run: a dataset's crops are already in its frame (the medians say where the eyes are), so the view is
// one fixed similarity warp per dataset (replicated border where the new frame reaches past the crop).
import { ALIGN_FRAMES, alignFrameName, cropHeight, DEFAULT_ALIGN_OPTIONS, type AlignFrameName } from '../detect/align.js';
import { hashString } from '../util/rng.js';
import { warpAffine, type Affine } from '../detect/warp.js';
import type { RgbImage } from '../encoders/types.js';
import { invalidParameter } from '../errors.js';
import { parseSpec } from '../data/spec.js';

/** Bump when reframeFace changes: cached views under the old version are then simply not read. */
export const REFRAME_VERSION = 1;

/** The feature-cache view name of a crop in frame `from` re-framed into `to`: the version, the target's name and a
 *  short hash of both frames' values, so re-measured frames (ALIGN_FRAMES) never read views cut with old ones. */
export function reframeView(from: AlignFrameName, to: AlignFrameName): `reframe${number}${string}` {
  const h = hashString(JSON.stringify([ALIGN_FRAMES[from], ALIGN_FRAMES[to]]));
  return `reframe${REFRAME_VERSION}${to}-${h.toString(16).padStart(8, '0').slice(0, 6)}`;
}

/** The canonical frame a dataset's own crops are in (its adapter's name when ALIGN_FRAMES has it), else undefined. */
export function datasetFrame(spec: string): AlignFrameName | undefined {
  let adapter: string;
  try {
    adapter = parseSpec(spec).adapter;
  } catch {
    return undefined;
  }
  return Object.hasOwn(ALIGN_FRAMES, adapter) ? (adapter as AlignFrameName) : undefined;
}

/** datasetFrame(spec), or an error naming `flag`: a dataset is re-framed from its own frame, so it needs one. */
export function requireDatasetFrame(spec: string, flag = '--reframe'): AlignFrameName {
  const own = datasetFrame(spec);
  if (!own) throw invalidParameter(`${flag} of dataset ${spec}`, `a dataset whose crops have a known frame (${Object.keys(ALIGN_FRAMES).join(', ')} datasets)`, spec);
  return own;
}

/** Checks a list of frame names (cafe probe --reframe). */
export function parseFrames(list: string, flag = '--reframe'): AlignFrameName[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw invalidParameter(flag, `frame names among ${Object.keys(ALIGN_FRAMES).join(', ')}`, list);
  return [...new Set(names.map((n) => alignFrameName(n, flag)))];
}

/** The map from the re-framed crop (width W, height H) to the source crop's pixels. */
export function reframeMap(srcWidth: number, srcHeight: number, from: AlignFrameName, to: AlignFrameName, W: number, H: number): Affine {
  const a = ALIGN_FRAMES[from];
  const b = ALIGN_FRAMES[to];
  // Source pixels per output pixel: the same inter-ocular distance in both.
  const s = (a.eyeDistance * srcWidth) / (b.eyeDistance * W);
  // Output eye midpoint (W/2, b.eyeY H) -> source eye midpoint (srcWidth/2, a.eyeY srcHeight).
  return { a: s, b: 0, c: srcWidth / 2 - (W / 2) * s, d: 0, e: s, f: a.eyeY * srcHeight - b.eyeY * H * s };
}

/** `img` (a crop in frame `from`) cut again in frame `to`, as wide as the source crop. */
export function reframeFace(img: RgbImage, from: AlignFrameName, to: AlignFrameName): RgbImage {
  const W = img.width;
  const H = cropHeight({ ...DEFAULT_ALIGN_OPTIONS, ...ALIGN_FRAMES[to], size: W });
  return warpAffine(img, reframeMap(img.width, img.height, from, to, W, H), W, H, 'replicate');
}
