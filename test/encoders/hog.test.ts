// The hog encoder (hog.ts): its ONNX graph against an independent torch reference that bins by the angle itself
// (atan2), plus what a gradient histogram must do: one orientation for a ramp, invariance to brightness and contrast.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEncoder } from '../../src/encoders/registry.js';
import { HOG_BINS, HOG_DIM, HOG_SIZE } from '../../src/encoders/hog.js';
import type { PreprocessedBatch, RgbImage } from '../../src/encoders/types.js';
import { NO_TORCH_PYTHON, runPython, torchPython } from '../helpers/python.js';

const S = HOG_SIZE;
const plane = S * S;

/** N gray images in [0, 1] with texture at several scales, repeated on 3 channels as the preprocessing does. */
function batch(n: number, seed = 1): PreprocessedBatch {
  const data = new Float32Array(n * 3 * plane);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const v = 0.5 + 0.2 * Math.sin(x * (0.3 + 0.1 * i) + y * 0.17 * seed) + 0.15 * Math.cos(x * y * 0.013 + i) + 0.1 * Math.sin(y * 0.9 + x * 0.05 * seed);
        for (let c = 0; c < 3; c++) data[(i * 3 + c) * plane + y * S + x] = v;
      }
    }
  }
  return { kind: 'preprocessed', n, data };
}

test('hog: [N, 1764] equal to a torch reference that bins by atan2', { skip: torchPython() ? false : NO_TORCH_PYTHON }, async () => {
  const enc = await createEncoder('hog', { threads: 1 });
  try {
    assert.equal(enc.dim, HOG_DIM);
    const b = batch(3);
    const mine = await enc.encode(b);
    const dir = mkdtempSync(join(tmpdir(), 'cafe-hog-'));
    const file = join(dir, 'x.f32');
    writeFileSync(file, new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength));
    assert.equal(mine.length, 3 * HOG_DIM);
    const ref = JSON.parse(runPython(`
import json, math, sys, torch
S, K, CELL, CLIP = ${S}, ${HOG_BINS}, 6, 0.2
x = torch.frombuffer(bytearray(open(sys.argv[1], 'rb').read()), dtype=torch.float32).to(torch.float64).reshape(-1, 3, S, S)[:, 0]
p = torch.nn.functional.pad(x[:, None], (1, 1, 1, 1), mode='replicate')[:, 0]
gx = p[:, 1:-1, 2:] - p[:, 1:-1, :-2]
gy = p[:, 2:, 1:-1] - p[:, :-2, 1:-1]
m = torch.sqrt(gx * gx + gy * gy + 1e-12)
t = torch.atan2(gy, gx)
votes = torch.stack([m * torch.clamp(torch.cos(2 * (t - math.pi * k / K)), min=0) ** 2 for k in range(K)], 1)
C = S // CELL
cells = votes.reshape(-1, K, C, CELL, C, CELL).mean((3, 5))
B = C - 1
out = torch.zeros(x.shape[0], 4, K, B, B, dtype=torch.float64)
for by in range(B):
    for bx in range(B):
        blk = cells[:, :, by:by + 2, bx:bx + 2]
        norm = torch.sqrt((blk * blk).sum((1, 2, 3)) + 1e-6)
        for j, (dy, dx) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
            out[:, j, :, by, bx] = torch.clamp(cells[:, :, by + dy, bx + dx] / norm[:, None], max=CLIP)
print(json.dumps(out.reshape(x.shape[0], -1).tolist()))
`, [file])) as number[][];
    let worst = 0;
    ref.forEach((row, n) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(mine[n * HOG_DIM + j] - v)))));
    rmSync(dir, { recursive: true, force: true });
    assert.ok(worst < 1e-5, `max |onnx - torch| = ${worst}`);
    // Real texture: not every block sits at the clip.
    const unclipped = mine.filter((v) => v > 0 && v < 0.199).length;
    assert.ok(unclipped > HOG_DIM, `${unclipped} values strictly inside (0, 0.2)`);
  } finally {
    await enc.dispose();
  }
});

test('hog: a horizontal ramp votes for orientation 0 only; a vertical ramp for 90 degrees', async () => {
  const enc = await createEncoder('hog', { threads: 1 });
  try {
    const ramp = (vertical: boolean): RgbImage => ({ width: S, height: S, channels: 1, data: Uint8Array.from({ length: plane }, (_, i) => 40 + 3 * (vertical ? (i / S) | 0 : i % S)) });
    const f = await enc.encode([ramp(false), ramp(true)]);
    // Bins of block (3, 3)'s top-left cell: feature index ((j * K + k) * 7 + by) * 7 + bx with j = 0.
    const bins = (n: number) => Array.from({ length: HOG_BINS }, (_, k) => f[n * HOG_DIM + (k * 7 + 3) * 7 + 3]);
    const h = bins(0), v = bins(1);
    assert.ok(h[0] > 0, 'horizontal ramp: bin 0 (0 degrees) votes');
    for (const k of [3, 4, 5, 6]) assert.equal(h[k], 0, `horizontal ramp: bin ${k} (${20 * k} degrees) is silent`);
    // 90 degrees sits between bins 4 (80) and 5 (100), equally; 0 and 180 are the bins farthest away.
    assert.ok(Math.abs(v[4] - v[5]) < 1e-6 && v[4] > 0, `vertical ramp: bins 4 and 5 vote equally (${v[4]}, ${v[5]})`);
    for (const k of [0, 1, 8]) assert.equal(v[k], 0, `vertical ramp: bin ${k} is silent`);
  } finally {
    await enc.dispose();
  }
});

test('hog: unchanged by brightness and contrast; each image alone or in a batch gives the same row', async () => {
  const enc = await createEncoder('hog', { threads: 1 });
  try {
    const b = batch(2, 3);
    const f = await enc.encode(b);
    const dim = { kind: 'preprocessed' as const, n: 2, data: b.data.map((v) => 0.1 + 0.6 * v) };
    const g = await enc.encode(dim);
    let worst = 0;
    for (let i = 0; i < f.length; i++) worst = Math.max(worst, Math.abs(f[i] - g[i]));
    assert.ok(worst < 1e-4, `0.1 + 0.6 x moves the descriptor by ${worst}`);
    const one = await enc.encode({ kind: 'preprocessed', n: 1, data: b.data.subarray(3 * plane) });
    let apart = 0;
    one.forEach((v, j) => (apart = Math.max(apart, Math.abs(v - f[HOG_DIM + j]))));
    assert.ok(apart < 1e-6, `alone vs in a batch: ${apart}`);
  } finally {
    await enc.dispose();
  }
});
