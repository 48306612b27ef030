// `cafe video` on clips generated with ffmpeg from the packaged sample photos: rows (JSON lines, CSV), summary,
// timeline plot, annotated video, stable ids on a clip whose faces do not cross, and every bad input: no video
// stream, corrupt and truncated files, no face, rotation metadata, variable frame rate, a missing device, a missing
// ffmpeg. Outputs are whole or absent, never half-written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { EXPRESSIONS } from '../../src/labels.js';
import { probeVideo } from '../../src/video/probe.js';
import { audioOnly, NO_FFMPEG, noFaceClip, panClip, rotatedClip, sample, stillClip, truncated, vfrClip } from './clips.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cafe-video-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function cafe(...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    return { code: await main(['video', '--quiet', ...argv]), err: err.join('\n') };
  } finally {
    console.error = error;
  }
}

/** Files in a folder that look like leftovers of an interrupted write. */
const temps = (d: string) => readdirSync(d).filter((n) => n.includes('.tmp-'));

interface Row { time: number; frame: number; track: number; box: { x: number; y: number; width: number; height: number }; detected: boolean; label: string; score: number; raw: Record<string, number>; smoothed: Record<string, number> }
const jsonl = (p: string): Row[] => readFileSync(p, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('rows, summary, plot and annotated video; stable ids on a clip whose faces do not cross', { skip: NO_FFMPEG }, async () => {
  const clip = panClip(dir, 'pan.mp4', sample(2), { seconds: 2, fps: 10 });
  const o = join(dir, 'out1');
  mkdirSync(o);
  const r = await cafe(clip, '--fps', '5', '--detect-every', '2', '--out', join(o, 'rows.jsonl'), '--summary', join(o, 'summary.json'), '--plot', join(o, 'plot.svg'), '--annotate', join(o, 'annotated.mp4'));
  assert.equal(r.code, 0, r.err);
  const rows = jsonl(join(o, 'rows.jsonl'));
  const frames = new Map<number, Row[]>();
  for (const row of rows) frames.set(row.frame, [...(frames.get(row.frame) ?? []), row]);
  assert.equal(frames.size, 10, 'every sampled frame has faces');
  for (const [k, fr] of frames) {
    assert.ok(Math.abs(fr[0].time - k * 0.2) < 1e-6, `frame ${k} at ${fr[0].time} s`);
    assert.equal(fr[0].detected, k % 2 === 0);
  }
  // No id switches: the same faces, in the same order left to right, with the same ids in every frame.
  const first = frames.get(0)!.map((f) => f.track);
  assert.ok(first.length >= 2, `${first.length} faces in frame 0`);
  for (const fr of frames.values()) assert.deepEqual([...fr].sort((a, b) => a.box.x - b.box.x).map((f) => f.track), [...frames.get(0)!].sort((a, b) => a.box.x - b.box.x).map((f) => f.track));
  for (const row of rows) {
    assert.deepEqual(Object.keys(row.raw), [...EXPRESSIONS]);
    assert.ok(Math.abs(Object.values(row.smoothed).reduce((a, b) => a + b, 0) - 1) < 2e-3);
    assert.equal(row.label, EXPRESSIONS.reduce((a, b) => (row.smoothed[b] > row.smoothed[a] ? b : a)));
  }
  const summary = JSON.parse(readFileSync(join(o, 'summary.json'), 'utf8'));
  assert.equal(summary.frames, 10);
  assert.deepEqual(summary.tracks.map((t: { trackId: number }) => t.trackId), first.sort());
  for (const t of summary.tracks) {
    assert.ok(Math.abs(t.seconds - 2) < 1e-9, `track ${t.trackId} on screen ${t.seconds} s`);
    assert.ok(Math.abs(Object.values(t.share as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-9);
  }
  const svg = readFileSync(join(o, 'plot.svg'), 'utf8');
  assert.match(svg, /^<svg/);
  for (const id of first) assert.match(svg, new RegExp(`face #${id}`));
  assert.equal((svg.match(/<path /g) ?? []).length, first.length * EXPRESSIONS.length);
  const ann = await probeVideo(join(o, 'annotated.mp4'));
  assert.equal(ann.width, 480);
  assert.ok(ann.duration! > 1.8 && ann.duration! < 2.2, `annotated video ${ann.duration} s`);
  assert.deepEqual(temps(o), []);
});

test('CSV rows: header, one row per frame per face, raw and smoothed columns', { skip: NO_FFMPEG }, async () => {
  // Lossless (-qp 0): every frame has the same pixels.
  const clip = stillClip(dir, 'still.mp4', sample(2), { seconds: 1, extra: ['-qp', '0'] });
  const out = join(dir, 'rows.csv');
  const r = await cafe(clip, '--fps', '4', '--format', 'csv', '--out', out, '--half-life', '0');
  assert.equal(r.code, 0, r.err);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  assert.deepEqual(header.slice(0, 10), ['time', 'frame', 'track', 'x', 'y', 'width', 'height', 'detected', 'label', 'score']);
  assert.equal(header.length, 10 + 2 * EXPRESSIONS.length);
  const cells = lines.slice(1).map((l) => l.split(','));
  assert.deepEqual([...new Set(cells.map((c) => c[1]))], ['0', '1', '2', '3']);
  // Half-life 0: smoothed = raw.
  for (const c of cells) assert.deepEqual(c.slice(10, 17), c.slice(17, 24));
  // Identical frames: a face scored in its carried box (frames 1, 2) gets exactly what the detection frame gave it.
  const byTrack = new Map<string, string[][]>();
  for (const c of cells) byTrack.set(c[2], [...(byTrack.get(c[2]) ?? []), c]);
  for (const rows of byTrack.values()) {
    assert.deepEqual(rows.map((c) => c[7]), ['1', '0', '0', '1']);
    for (const c of rows.slice(1)) c.slice(10, 17).forEach((v, i) => assert.ok(Math.abs(Number(v) - Number(rows[0][10 + i])) < 2e-4, `${v} vs ${rows[0][10 + i]}`));
  }
  // --tta-frames reaches the recognizer: the same faces in the same boxes, other scores (the extra frame's view joins).
  const out2 = join(dir, 'rows-frames.csv');
  assert.equal((await cafe(clip, '--fps', '4', '--format', 'csv', '--out', out2, '--half-life', '0', '--tta-frames', 'ferplus')).code, 0);
  const cells2 = readFileSync(out2, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  assert.deepEqual(cells2.map((c) => c.slice(0, 8)), cells.map((c) => c.slice(0, 8)));
  assert.notDeepEqual(cells2.map((c) => c.slice(10, 17)), cells.map((c) => c.slice(10, 17)));
  // Faces in carried boxes take the extra frame too: on identical frames they score what their detection frame did.
  const byTrack2 = new Map<string, string[][]>();
  for (const c of cells2) byTrack2.set(c[2], [...(byTrack2.get(c[2]) ?? []), c]);
  for (const rows of byTrack2.values()) for (const c of rows.slice(1)) c.slice(10, 17).forEach((v, i) => assert.ok(Math.abs(Number(v) - Number(rows[0][10 + i])) < 2e-4, `${v} vs ${rows[0][10 + i]}`));
});

test('no video stream, corrupt and plain-truncated files, missing file or device: a clear error, no output', { skip: NO_FFMPEG }, async () => {
  const out = join(dir, 'bad', 'rows.jsonl');
  const plot = join(dir, 'bad', 'plot.svg');
  const garbage = join(dir, 'garbage.mp4');
  writeFileSync(garbage, Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919) % 251)));
  const cases: Array<[string, RegExp]> = [
    [audioOnly(dir), /audio\.m4a: no video stream \(streams: audio\)/],
    [garbage, /garbage\.mp4: not a readable video/],
    [truncated(dir, sample(2), false), /truncated-plain\.mp4: not a readable video .*moov atom not found/],
    [join(dir, 'nothing.mp4'), /nothing\.mp4: no such file/],
    ['/dev/video-cafe-none', /\/dev\/video-cafe-none: no such capture device/],
  ];
  for (const [source, message] of cases) {
    const r = await cafe(source, '--out', out, '--plot', plot, '--annotate', join(dir, 'bad', 'ann.mp4'));
    assert.equal(r.code, 1, `${source}: ${r.err}`);
    assert.match(r.err, message);
    assert.ok(!existsSync(out) && !existsSync(plot) && !existsSync(join(dir, 'bad', 'ann.mp4')), `${source}: no output written`);
    if (existsSync(join(dir, 'bad'))) assert.deepEqual(temps(join(dir, 'bad')), []);
  }
  // An output that already exists is left as it was.
  mkdirSync(join(dir, 'bad'), { recursive: true });
  writeFileSync(out, 'keep\n');
  assert.equal((await cafe(garbage, '--out', out)).code, 1);
  assert.equal(readFileSync(out, 'utf8'), 'keep\n');
});

test('a file truncated part way: the frames before the cut, reported, exit 1', { skip: NO_FFMPEG }, async () => {
  const clip = truncated(dir, sample(2), true);
  const out = join(dir, 'trunc.jsonl');
  const r = await cafe(clip, '--fps', '5', '--out', out, '--summary', join(dir, 'trunc.json'));
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /truncated-faststart\.mp4: the video stream broke off after \d+ frames \([\d.]+ s of 2\.00 s\)/);
  const summary = JSON.parse(readFileSync(join(dir, 'trunc.json'), 'utf8'));
  assert.ok(summary.frames >= 1 && summary.frames < 10, `${summary.frames} frames read`);
  assert.match(summary.incomplete, /broke off/);
  assert.equal(new Set(jsonl(out).map((r) => r.frame)).size, summary.frames);
});

test('no face at all: reported, empty rows, the plot skipped, exit 0', { skip: NO_FFMPEG }, async () => {
  const out = join(dir, 'noface.jsonl');
  const plot = join(dir, 'noface.svg');
  const r = await cafe(noFaceClip(dir), '--fps', '5', '--out', out, '--plot', plot);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /noface\.mp4: no face in any of 5 frames/);
  assert.match(r.err, /--plot: skipped/);
  assert.equal(readFileSync(out, 'utf8'), '');
  assert.ok(!existsSync(plot));
});

test('rotation metadata: frames come out upright, the faces are found as in the upright clip', { skip: NO_FFMPEG }, async () => {
  const upright = stillClip(dir, 'upright.mp4', sample(2));
  const rotated = rotatedClip(dir, sample(2));
  const info = await probeVideo(rotated);
  assert.equal(info.rotation, 90);
  const res: Record<string, Row[]> = {};
  for (const [k, clip] of [['upright', upright], ['rotated', rotated]]) {
    const r = await cafe(clip, '--fps', '2', '--out', join(dir, `${k}.jsonl`), '--summary', join(dir, `${k}.json`));
    assert.equal(r.code, 0, r.err);
    res[k] = jsonl(join(dir, `${k}.jsonl`)).filter((x) => x.frame === 0);
  }
  const s = JSON.parse(readFileSync(join(dir, 'rotated.json'), 'utf8'));
  assert.deepEqual([s.width, s.height, s.rotation], [info.width, info.height, 90]);
  assert.ok(res.upright.length >= 2);
  assert.equal(res.rotated.length, res.upright.length);
  const xs = (rows: Row[]) => rows.map((x) => x.box.x).sort((a, b) => a - b);
  xs(res.rotated).forEach((x, i) => assert.ok(Math.abs(x - xs(res.upright)[i]) < 12, `face ${i}: x ${x} vs ${xs(res.upright)[i]}`));
});

test('variable frame rate: resampled by timestamp to a constant rate, times true', { skip: NO_FFMPEG }, async () => {
  const clip = vfrClip(dir, sample(2));
  const info = await probeVideo(clip);
  assert.ok(info.variableFrameRate, `${info.fps} fps`);
  const out = join(dir, 'vfr.jsonl');
  const summary = join(dir, 'vfr.json');
  const r = await cafe(clip, '--fps', '10', '--out', out, '--summary', summary);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(readFileSync(summary, 'utf8'));
  assert.ok(Math.abs(s.frames - Math.round(info.duration! * 10)) <= 1, `${s.frames} frames for ${info.duration} s at 10 fps`);
  const times = [...new Set(jsonl(out).map((x) => x.time))];
  times.forEach((t, i) => assert.ok(Math.abs(t - i * 0.1) < 1e-6, `frame ${i} at ${t} s`));
});

test('missing ffmpeg names the Debian package; bad flags are usage errors', { skip: NO_FFMPEG }, async () => {
  const clip = stillClip(dir, 'tiny.mp4', sample(2), { seconds: 0.5, width: 160 });
  process.env.CAFE_FFPROBE = join(dir, 'no-ffprobe');
  try {
    const r = await cafe(clip, '--out', join(dir, 'x.jsonl'));
    assert.equal(r.code, 1);
    assert.match(r.err, /no-ffprobe not found: .*Debian's ffmpeg package \(sudo apt-get install ffmpeg/);
  } finally {
    delete process.env.CAFE_FFPROBE;
  }
  assert.equal((await cafe(clip, '--plot', join(dir, 'x.png'))).code, 2);
  assert.equal((await cafe(clip, '--fps', '0')).code, 2);
  assert.equal((await cafe(clip, '--detect-every', '1.5')).code, 2);
  assert.equal((await cafe(clip, '--tta-frames', 'wide')).code, 2);
  assert.equal((await cafe()).code, 2);
});
