// Draws faces onto a copy of the photo: box, eye/nose/mouth points and "label 87%" above the box. The overlay is an
// SVG composited by sharp (librsvg), so no canvas dependency; the output is written atomically.
import { renameSync, rmSync } from 'node:fs';
import sharp from 'sharp';
import type { Recognition } from './recognizer.js';

export const COLOURS: Record<string, string> = {
  neutral: '#cccccc', happiness: '#ffd700', sadness: '#1e90ff', surprise: '#ff8c00', fear: '#9370db', disgust: '#32cd32', anger: '#ff3030',
};

export const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function overlaySvg(r: Recognition): string {
  const stroke = Math.max(2, Math.round(Math.max(r.width, r.height) / 400));
  const parts = r.faces.map((f) => {
    const c = COLOURS[f.label] ?? '#ffffff';
    const { x, y, width: w, height: h } = f.box;
    const fs = Math.max(12, Math.round(w / 6));
    const text = `${f.label} ${Math.round(100 * f.score)}%`;
    const ty = y - stroke * 2 > fs ? y - stroke * 2 : y + h + fs;
    const pts = f.landmarks.slice(0, 4).map((p) => `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${stroke}" fill="${c}"/>`).join('');
    return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${c}" stroke-width="${stroke}"/>${pts}` +
      `<text x="${x.toFixed(1)}" y="${ty.toFixed(1)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${fs}" fill="${c}" stroke="#000" stroke-width="${Math.max(1, fs / 12)}" paint-order="stroke">${esc(text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${r.width}" height="${r.height}">${parts.join('')}</svg>`;
}

let seq = 0;

/** Writes `input` with the faces of `r` drawn on it to `out` (format from the extension; JPEG for .jpg). */
export async function writeAnnotated(input: string | Uint8Array, r: Recognition, out: string): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}-${seq++}`;
  const base = sharp(input).rotate().flatten({ background: '#000' }).toColourspace('srgb');
  const img = r.faces.length ? base.composite([{ input: Buffer.from(overlaySvg(r)), top: 0, left: 0 }]) : base;
  try {
    await img.toFormat(out.toLowerCase().endsWith('.png') ? 'png' : 'jpeg').toFile(tmp);
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
