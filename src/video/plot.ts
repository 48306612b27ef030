// Timeline chart of the smoothed expression probabilities: one panel per track, one line per expression, each line
// labelled at its end (no legend hunt), gaps where the face was off screen. Plain SVG text: no plotting dependency.
import { EXPRESSIONS, type Expression } from '../labels.js';
import { esc } from '../recognizer/annotate.js';
import type { TrackSummary } from '../track/summary.js';

/** Line colours on a white background (annotate.ts's overlay colours, darkened where they would be too light). */
export const PLOT_COLOURS: Record<Expression, string> = {
  neutral: '#777777', happiness: '#d4a900', sadness: '#1e6fd9', surprise: '#ff7f0e', fear: '#8a5cc9', disgust: '#2ca02c', anger: '#d62728',
};

export interface TimelinePoint {
  /** s */
  t: number;
  smoothed: Record<Expression, number>;
}

export interface TimelineOptions {
  /** Title above the panels (e.g. the video's name). */
  title?: string;
  /** Time span of the video in s (x axis); default: the span of the points. */
  duration?: number;
  /** Points further apart than this (s) are not joined (the face was off screen). Default 3 frame intervals. */
  gapSeconds?: number;
  /** Most points drawn per line (longer tracks are thinned evenly). Default 1500. */
  maxPoints?: number;
}

const W = 960;
const PANEL_H = 170;
const LEFT = 56;
const RIGHT = 110; // room for the end labels
const TOP = 60;
const GAP = 40;

function ticks(max: number): number[] {
  const raw = max / 8;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? mag * 10;
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

/** An SVG document: tracks' smoothed scores over time. `tracks` maps trackId -> its points (time-ordered). */
export function timelineSvg(tracks: Map<number, TimelinePoint[]>, summaries: TrackSummary[], opts: TimelineOptions = {}): string {
  const ids = [...tracks.keys()].sort((a, b) => a - b);
  const all = ids.flatMap((id) => tracks.get(id)!.map((p) => p.t));
  const tMax = Math.max(opts.duration ?? 0, ...all, 1e-3);
  const plotW = W - LEFT - RIGHT;
  const x = (t: number) => LEFT + (t / tMax) * plotW;
  const gap = opts.gapSeconds ?? Infinity;
  const maxPoints = opts.maxPoints ?? 1500;
  const H = TOP + ids.length * (PANEL_H + GAP) + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${esc(opts.title ?? 'Expressions over time')}</text>`,
    `<text x="${W - RIGHT}" y="22" font-size="11" fill="#555" text-anchor="end">smoothed probability per expression, one panel per face</text>`,
  ];
  ids.forEach((id, k) => {
    const pts = tracks.get(id)!;
    const top = TOP + k * (PANEL_H + GAP);
    const y = (p: number) => top + PANEL_H - p * PANEL_H;
    const s = summaries.find((q) => q.trackId === id);
    const about = s ? `· ${s.seconds.toFixed(1)} s on screen · mostly ${s.dominant} (${Math.round(100 * s.share[s.dominant])}%)` : '';
    parts.push(`<text x="${LEFT}" y="${top - 10}" font-size="13" font-weight="bold">face #${id}<tspan dx="8" font-weight="normal" fill="#444">${esc(about)}</tspan></text>`);
    parts.push(`<rect x="${LEFT}" y="${top}" width="${plotW}" height="${PANEL_H}" fill="#fafafa" stroke="#bbb"/>`);
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      parts.push(`<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e3e3e3"/>`);
      parts.push(`<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${v}</text>`);
    }
    for (const t of ticks(tMax)) {
      parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top + PANEL_H}" y2="${top + PANEL_H + 4}" stroke="#888"/>`);
      parts.push(`<text x="${x(t).toFixed(1)}" y="${top + PANEL_H + 16}" text-anchor="middle" fill="#555">${t}${t === 0 ? ' s' : ''}</text>`);
    }
    const stride = Math.max(1, Math.ceil(pts.length / maxPoints));
    const thin = pts.filter((_, i) => i % stride === 0 || i === pts.length - 1);
    const ends: Array<{ e: Expression; y: number; v: number }> = [];
    for (const e of EXPRESSIONS) {
      let d = '';
      let prev = -Infinity;
      for (const p of thin) {
        d += `${p.t - prev > gap ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.smoothed[e]).toFixed(1)}`;
        prev = p.t;
      }
      if (d) parts.push(`<path d="${d.replace(/^L/, 'M')}" fill="none" stroke="${PLOT_COLOURS[e]}" stroke-width="${e === s?.dominant ? 2.4 : 1.5}" stroke-linejoin="round"/>`);
      const last = thin[thin.length - 1];
      if (last) ends.push({ e, y: y(last.smoothed[e]), v: last.smoothed[e] });
    }
    // End labels, pushed apart so none overlaps (12 px apart), kept inside the panel.
    ends.sort((a, b) => a.y - b.y);
    const ly = ends.map((q) => q.y);
    for (let i = 1; i < ly.length; i++) ly[i] = Math.max(ly[i], ly[i - 1] + 12);
    if (ly.length) ly[ly.length - 1] = Math.min(ly[ly.length - 1], top + PANEL_H);
    for (let i = ly.length - 2; i >= 0; i--) ly[i] = Math.min(ly[i], ly[i + 1] - 12);
    ends.forEach((q, i) => parts.push(`<text x="${LEFT + plotW + 6}" y="${(ly[i] + 4).toFixed(1)}" fill="${PLOT_COLOURS[q.e]}"${q.e === s?.dominant ? ' font-weight="bold"' : ''}>${q.e} ${Math.round(100 * q.v)}%</text>`));
  });
  if (ids.length === 0) parts.push(`<text x="${LEFT}" y="${TOP + 20}">no face found</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
