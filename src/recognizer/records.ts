// The per-face output records of `cafe predict`, one place for both writers of them: predict (stdout) and the work
// queue's workers (one JSONL per shard, merged by `cafe queue collect`). Sharing the code is what makes a queue run's
// collected output equal, byte for byte, to a single-process predict over the same files.
import { EXPRESSIONS, type Expression } from '../labels.js';
import type { Recognition } from './core.js';

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r1 = (x: number) => Math.round(x * 10) / 10;

/** One face of one photo, as predict prints it (JSON lines): values rounded (scores 4 decimals, pixels 1). */
export interface FaceRecord {
  file: string;
  face: number;
  box: { x: number; y: number; width: number; height: number };
  detectionScore: number | null;
  label: Expression;
  score: number;
  scores: Record<Expression, number>;
  landmarks: Array<[number, number]>;
  image: { width: number; height: number };
}

export const CSV_HEADER = ['file', 'face', 'x', 'y', 'width', 'height', 'detection_score', 'label', 'score', ...EXPRESSIONS].join(',');
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The records of one photo (one per face, best detection first; [] when no face was found). */
export function faceRecords(file: string, r: Recognition): FaceRecord[] {
  return r.faces.map((f, i) => ({
    file,
    face: i,
    box: { x: r1(f.box.x), y: r1(f.box.y), width: r1(f.box.width), height: r1(f.box.height) },
    detectionScore: f.detectionScore === null ? null : r4(f.detectionScore),
    label: f.label,
    score: r4(f.score),
    scores: Object.fromEntries(EXPRESSIONS.map((e) => [e, r4(f.scores[e])])) as Record<Expression, number>,
    landmarks: f.landmarks.map((p) => [r1(p.x), r1(p.y)] as [number, number]),
    image: { width: r.width, height: r.height },
  }));
}

/** A record as one JSON line (no newline). */
export const recordJson = (rec: FaceRecord): string => JSON.stringify(rec);

/** A record as one CSV row under CSV_HEADER (no newline); landmarks and image size are JSON-only. */
export function recordCsv(rec: FaceRecord): string {
  const b = rec.box;
  return [csvCell(rec.file), rec.face, b.x, b.y, b.width, b.height, rec.detectionScore === null ? '' : rec.detectionScore, rec.label, rec.score, ...EXPRESSIONS.map((e) => rec.scores[e])].join(',');
}
