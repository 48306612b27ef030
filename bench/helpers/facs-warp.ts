// Posed-style expressions synthesised from a neutral face (#11, "more diverse sources"): face-mesh landmarks are
// moved along FACS action units and the image is warped by a smooth displacement field. The templates are written
// from FACS' descriptions of the prototypical expressions, with a-priori magnitudes in inter-ocular units; they are
// not fitted to any dataset. Used by bench/facs-synth.ts only: a measured lever, not a product feature.
import { createFacemeshNet, FACEMESH_CONTEXT, FACEMESH_POINTS, FACEMESH_PRESET, padWithEdges } from '../../src/encoders/facemesh.js';
import type { RgbImage } from '../../src/encoders/types.js';
import type { Runtime } from '../../src/runtime/types.js';

/** One landmark group's move: `mid` toward the face's vertical midline (negative: away), `dy` down the face
 *  (negative: up), both in inter-ocular distances. */
export interface Move {
  idx: number[];
  mid: number;
  dy: number;
}

// MediaPipe canonical mesh indices (subject's right, then left).
const BROW_INNER = [107, 55, 66, 65, 336, 285, 296, 295];
const BROW_MID = [105, 52, 334, 282];
const BROW_OUTER = [63, 53, 70, 46, 293, 283, 300, 276];
const LID_UP = [159, 158, 160, 157, 161, 386, 385, 387, 384, 388];
const LID_LOW = [145, 144, 153, 374, 373, 380];
const LIP_UP = [0, 37, 39, 40, 185, 267, 269, 270, 409, 13, 82, 81, 80, 191, 312, 311, 310, 415];
const LIP_LOW = [17, 84, 181, 91, 146, 314, 405, 321, 375, 14, 87, 178, 88, 95, 317, 402, 318, 324];
const CORNERS = [61, 291, 146, 375, 185, 409];
const CHIN = [152, 148, 176, 149, 150, 377, 400, 378, 379, 175, 199, 200, 18];

export const FACS_TEMPLATES = {
  // AU4 brow lowerer (inner brows down and together) + AU7 lid tightener + AU23/24 lips tightened and pressed
  anger: [
    { idx: BROW_INNER, mid: 0.05, dy: 0.12 }, { idx: BROW_MID, mid: 0.03, dy: 0.09 }, { idx: BROW_OUTER, mid: 0.01, dy: 0.05 },
    { idx: LID_UP, mid: 0, dy: 0.02 }, { idx: LID_LOW, mid: 0, dy: -0.02 },
    { idx: LIP_UP, mid: 0, dy: 0.025 }, { idx: LIP_LOW, mid: 0, dy: -0.025 }, { idx: CORNERS, mid: 0.02, dy: 0 },
  ],
  // AU1 inner brow raiser + AU4 + AU15 lip corner depressor
  sadness: [
    { idx: BROW_INNER, mid: 0.03, dy: -0.08 }, { idx: BROW_MID, mid: 0.01, dy: -0.03 },
    { idx: CORNERS, mid: 0, dy: 0.06 }, { idx: LIP_LOW, mid: 0, dy: 0.01 },
  ],
  // AU1+2+4 brows up and together, AU5 upper lid raiser, AU20 lip stretcher, AU26 jaw drop
  fear: [
    { idx: BROW_INNER, mid: 0.03, dy: -0.1 }, { idx: BROW_MID, mid: 0.01, dy: -0.1 }, { idx: BROW_OUTER, mid: 0, dy: -0.07 },
    { idx: LID_UP, mid: 0, dy: -0.04 }, { idx: CORNERS, mid: -0.06, dy: 0.02 },
    { idx: LIP_LOW, mid: 0, dy: 0.06 }, { idx: CHIN, mid: 0, dy: 0.06 },
  ],
} satisfies Record<string, Move[]>;
export type FacsClass = keyof typeof FACS_TEMPLATES;

/** The face mesh's 468 landmarks of a face crop, [x0, y0, x1, y1, ...] in the crop's pixels: the crop gets the
 *  facemesh encoder's edge-padded context, as the encoder itself feeds the graph. */
export async function createLandmarker(runtime: Runtime, threads = 2): Promise<{ landmarks(img: RgbImage): Promise<Float32Array>; dispose(): Promise<void> }> {
  const mesh = await createFacemeshNet({ threads }, runtime);
  const S = FACEMESH_PRESET.size;
  return {
    async landmarks(img) {
      const padded = padWithEdges(img, FACEMESH_CONTEXT);
      const m = await mesh.encode([padded]); // [1, 1404] in S px of the stretched padded image
      const x0 = Math.floor((padded.width - img.width) / 2), y0 = Math.floor((padded.height - img.height) / 2);
      const out = new Float32Array(FACEMESH_POINTS * 2);
      for (let p = 0; p < FACEMESH_POINTS; p++) {
        out[p * 2] = (m[p * 3] * padded.width) / S - x0;
        out[p * 2 + 1] = (m[p * 3 + 1] * padded.height) / S - y0;
      }
      return out;
    },
    dispose: () => mesh.dispose(),
  };
}

/**
 * Warps `img` so that its landmarks `lm` move by the template scaled by `intensity`. The displacement field is a
 * Gaussian-weighted blend (sigma 0.12 IOD) over all 468 landmarks, the unmoved ones with 0, so it stays local; as
 * unmoved neighbours (the lids under the brows) damp it, one least-squares gain (at most 4) brings the moved
 * landmarks' realised displacement back to the template's. Backward sampling, bilinear, border clamped.
 * Returns the image and that gain.
 */
export function facsWarp(img: RgbImage, lm: Float32Array, moves: Move[], intensity: number): { image: RgbImage; gain: number } {
  const P = FACEMESH_POINTS;
  const at = (i: number): [number, number] => [lm[i * 2], lm[i * 2 + 1]];
  const centre = (a: number, b: number): [number, number] => [(at(a)[0] + at(b)[0]) / 2, (at(a)[1] + at(b)[1]) / 2];
  const eyeR = centre(33, 133), eyeL = centre(362, 263);
  const iod = Math.hypot(eyeL[0] - eyeR[0], eyeL[1] - eyeR[1]);
  if (!(iod > 0)) throw new Error('facsWarp: the landmarks put both eyes on one point');
  const ux = [(eyeL[0] - eyeR[0]) / iod, (eyeL[1] - eyeR[1]) / iod]; // the face's x axis, image-left to image-right
  const uy = [-ux[1], ux[0]]; // the face's y axis, down
  const mx = (eyeR[0] + eyeL[0]) / 2, my = (eyeR[1] + eyeL[1]) / 2;
  const d = new Float32Array(P * 2); // [468, 2] landmark moves in pixels
  for (const mv of moves) {
    for (const i of mv.idx) {
      const side = Math.sign((lm[i * 2] - mx) * ux[0] + (lm[i * 2 + 1] - my) * ux[1]);
      const fx = -side * mv.mid * iod * intensity, fy = mv.dy * iod * intensity;
      d[i * 2] = fx * ux[0] + fy * uy[0];
      d[i * 2 + 1] = fx * ux[1] + fy * uy[1];
    }
  }
  const sig2 = 2 * (0.12 * iod) ** 2;
  const field = (x: number, y: number): [number, number] => {
    let sx = 0, sy = 0, sw = 1e-3;
    for (let p = 0; p < P; p++) {
      const w = Math.exp(-((x - lm[p * 2]) ** 2 + (y - lm[p * 2 + 1]) ** 2) / sig2);
      sw += w;
      sx += w * d[p * 2];
      sy += w * d[p * 2 + 1];
    }
    return [sx / sw, sy / sw];
  };
  let num = 0, den = 0;
  for (let p = 0; p < P; p++) {
    if (!d[p * 2] && !d[p * 2 + 1]) continue;
    const [rx, ry] = field(lm[p * 2], lm[p * 2 + 1]);
    num += d[p * 2] ** 2 + d[p * 2 + 1] ** 2;
    den += d[p * 2] * rx + d[p * 2 + 1] * ry;
  }
  const gain = den > 0 ? Math.min(4, num / den) : 1;
  const { width: W, height: H, channels: C, data } = img;
  const out = new Uint8Array(W * H * C);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [fx, fy] = field(x, y);
      const qx = Math.min(W - 1, Math.max(0, x - gain * fx)), qy = Math.min(H - 1, Math.max(0, y - gain * fy));
      const x0 = Math.floor(qx), y0 = Math.floor(qy), x1 = Math.min(W - 1, x0 + 1), y1 = Math.min(H - 1, y0 + 1);
      const ax = qx - x0, ay = qy - y0;
      for (let c = 0; c < C; c++) {
        const v = (1 - ay) * ((1 - ax) * data[(y0 * W + x0) * C + c] + ax * data[(y0 * W + x1) * C + c])
          + ay * ((1 - ax) * data[(y1 * W + x0) * C + c] + ax * data[(y1 * W + x1) * C + c]);
        out[(y * W + x) * C + c] = Math.round(v);
      }
    }
  }
  return { image: { width: W, height: H, channels: C, data: out }, gain };
}
