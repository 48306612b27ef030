// Boxes and labels on a raw video frame: an SVG overlay composited by sharp (librsvg), as src/recognizer/annotate.ts
// does for photos, with the track id and the smoothed label.
import sharp from 'sharp';
import { COLOURS, esc } from '../recognizer/annotate.js';
import type { TrackedFace } from '../track/types.js';

export function trackOverlaySvg(width: number, height: number, faces: TrackedFace[]): string {
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 400));
  const parts = faces.map((f) => {
    const c = COLOURS[f.label] ?? '#ffffff';
    const { x, y, width: w, height: h } = f.box;
    const fs = Math.max(12, Math.round(Math.min(w / 5, height / 18)));
    const text = `#${f.trackId} ${f.label} ${Math.round(100 * f.score)}%`;
    const ty = y - stroke * 2 > fs ? y - stroke * 2 : y + h + fs;
    return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${c}" stroke-width="${stroke}"${f.detected ? '' : ` stroke-dasharray="${stroke * 4} ${stroke * 2}"`}/>` +
      `<text x="${x.toFixed(1)}" y="${ty.toFixed(1)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${fs}" fill="${c}" stroke="#000" stroke-width="${Math.max(1, fs / 12)}" paint-order="stroke">${esc(text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** The frame ([height, width, 3] RGB) with the faces drawn on it (a new buffer; the input is untouched). */
export async function drawFaces(rgb: Uint8Array, width: number, height: number, faces: TrackedFace[]): Promise<Uint8Array> {
  if (faces.length === 0) return rgb;
  const raw = { width, height, channels: 3 as const };
  const out = await sharp(rgb, { raw }).composite([{ input: Buffer.from(trackOverlaySvg(width, height, faces)), top: 0, left: 0 }]).removeAlpha().raw().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
