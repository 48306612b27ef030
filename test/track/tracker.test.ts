// The tracker on synthetic sequences: optimal matching, crossing faces, a face leaving and returning, dropped
// frames, frame-rate independence of the smoothing, detection every N frames with carried boxes, summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPRESSIONS, type Expression } from '../../src/labels.js';
import type { FaceBox } from '../../src/detect/types.js';
import { assignMinCost, createFaceStream, ExpSmoother, FaceTracker, iou, smoothingWeight, summarizeTracks, type Observation, type TrackedFace } from '../../src/track/index.js';
import { Rng } from '../../src/util/rng.js';

const seeded = (seed: number) => {
  const g = new Rng(seed);
  return () => g.uniform(0, 1);
};

const onehot = (e: Expression, p = 0.9) => EXPRESSIONS.map((x) => (x === e ? p : (1 - p) / (EXPRESSIONS.length - 1)));
const box = (x: number, y: number, s = 80): FaceBox => ({ x, y, width: s, height: s });
const eyes = (b: FaceBox) => [{ x: b.x + b.width * 0.3, y: b.y + b.height * 0.4 }, { x: b.x + b.width * 0.7, y: b.y + b.height * 0.4 }];

test('assignMinCost is optimal (brute force on random matrices, all shapes)', () => {
  const r = seeded(7);
  const perms = (n: number, m: number): number[][] => {
    // every injective map of min(n, m) rows... enumerate assignments of rows to distinct columns or -1
    const out: number[][] = [];
    const rec = (i: number, used: Set<number>, cur: number[]) => {
      if (i === n) return void out.push([...cur]);
      for (let j = 0; j < m; j++) if (!used.has(j)) { used.add(j); cur.push(j); rec(i + 1, used, cur); cur.pop(); used.delete(j); }
      if (n > m) { cur.push(-1); rec(i + 1, used, cur); cur.pop(); }
    };
    rec(0, new Set(), []);
    return out.filter((a) => a.filter((j) => j >= 0).length === Math.min(n, m));
  };
  for (let trial = 0; trial < 60; trial++) {
    const n = 1 + Math.floor(r() * 5);
    const m = 1 + Math.floor(r() * 5);
    const cost = Array.from({ length: n }, () => Array.from({ length: m }, () => Math.round(r() * 100) / 10));
    const got = assignMinCost(cost);
    const total = (a: number[]) => a.reduce((s, j, i) => s + (j >= 0 ? cost[i][j] : 0), 0);
    const best = Math.min(...perms(n, m).map(total));
    assert.equal(new Set(got.filter((j) => j >= 0)).size, Math.min(n, m), `one-to-one, ${n}x${m}`);
    assert.ok(Math.abs(total(got) - best) < 1e-9, `${n}x${m}: ${total(got)} vs optimum ${best}`);
  }
  assert.deepEqual(assignMinCost([]), []);
  assert.deepEqual(assignMinCost([[], []]), [-1, -1]);
});

test('iou and the smoothing weight', () => {
  assert.equal(iou(box(0, 0, 10), box(0, 0, 10)), 1);
  assert.equal(iou(box(0, 0, 10), box(20, 0, 10)), 0);
  assert.ok(Math.abs(iou(box(0, 0, 10), box(5, 0, 10)) - 50 / 150) < 1e-12);
  assert.equal(smoothingWeight(500, 500), 0.5);
  assert.equal(smoothingWeight(100, 0), 1);
  assert.equal(smoothingWeight(0, 500), 0);
  // Two steps of dt equal one step of 2 dt: what makes it frame-rate independent.
  const a = new ExpSmoother(300);
  a.update(0, [0]);
  a.update(100, [1]);
  const two = a.update(200, [1])[0];
  const b = new ExpSmoother(300);
  b.update(0, [0]);
  const one = b.update(200, [1])[0];
  assert.ok(Math.abs(two - one) < 1e-12, `${two} vs ${one}`);
});

test('two faces crossing (one hidden behind the other while they overlap) keep their ids and expressions', () => {
  const tracker = new FaceTracker({ halfLifeMs: 300 });
  const ids = new Map<string, Set<number>>([['A', new Set()], ['B', new Set()]]);
  const labelOf = new Map<number, Expression>();
  let hiddenFrames = 0;
  for (let k = 0; k <= 90; k++) {
    const t = (k * 1000) / 30;
    const a = box(20 + k * 6, 100); // left -> right, happy
    const b = box(560 - k * 6, 110); // right -> left, sad, slightly lower
    const obs: Array<Observation & { who: string }> = [
      { who: 'A', box: a, landmarks: eyes(a), scores: onehot('happiness') },
      { who: 'B', box: b, landmarks: eyes(b), scores: onehot('sadness') },
    ];
    // Occlusion: while the boxes overlap, the detector sees only the front face (A).
    const seen = iou(a, b) > 0.2 ? obs.filter((o) => o.who === 'A') : obs;
    if (seen.length < 2) hiddenFrames++;
    const out = tracker.update(t, seen.map(({ who, ...o }) => o));
    assert.equal(out.length, seen.length);
    seen.forEach((o) => {
      const f = out.find((x) => x.box === o.box)!;
      ids.get(o.who)!.add(f.trackId);
      if (k > 10) labelOf.set(f.trackId, f.label);
    });
  }
  assert.ok(hiddenFrames >= 5, `the faces overlapped for ${hiddenFrames} frames`);
  assert.deepEqual([...ids.get('A')!], [1]);
  assert.deepEqual([...ids.get('B')!], [2]);
  assert.equal(labelOf.get(1), 'happiness');
  assert.equal(labelOf.get(2), 'sadness');
});

test('a face that leaves and comes back: same id within lostAfterMs, a new id after', () => {
  const run = (gapMs: number) => {
    const tracker = new FaceTracker({ lostAfterMs: 1000 });
    const seen: number[] = [];
    for (let t = 0; t <= 3000; t += 40) {
      const away = t >= 1000 && t < 1000 + gapMs;
      const out = tracker.update(t, away ? [] : [{ box: box(200, 150), scores: onehot('neutral') }]);
      if (!away) seen.push(out[0].trackId);
      else assert.deepEqual(out, []);
    }
    return [...new Set(seen)];
  };
  assert.deepEqual(run(600), [1]);
  assert.deepEqual(run(1500), [1, 2]);
});

test('dropped frames: same ids and nearly the same smoothed scores as the full sequence', () => {
  const r = seeded(3);
  const seq = (t: number): Observation[] => {
    const b1 = box(100 + t * 0.05, 100);
    const b2 = box(400 - t * 0.03, 300);
    const p = t < 1500 ? onehot('neutral', 0.6) : onehot('surprise', 0.8);
    return [{ box: b1, scores: p }, { box: b2, scores: onehot('anger') }];
  };
  const full = new FaceTracker({ halfLifeMs: 400 });
  const lossy = new FaceTracker({ halfLifeMs: 400 });
  let last: TrackedFace[] = [];
  let lastFull: TrackedFace[] = [];
  let kept = 0;
  for (let k = 0; k < 90; k++) {
    const t = (k * 1000) / 30;
    lastFull = full.update(t, seq(t));
    if (k === 89 || r() > 0.4) {
      last = lossy.update(t, seq(t));
      kept++;
    }
  }
  assert.ok(kept < 70, `${kept} of 90 frames kept`);
  assert.deepEqual(last.map((f) => f.trackId), [1, 2]);
  for (let i = 0; i < 2; i++) for (const e of EXPRESSIONS) assert.ok(Math.abs(last[i].smoothed[e] - lastFull[i].smoothed[e]) < 0.03, `${e}: ${last[i].smoothed[e]} vs ${lastFull[i].smoothed[e]}`);
  assert.equal(last[0].label, 'surprise');
});

test('smoothing is frame-rate independent (10, 30 and 60 fps with jitter agree; a per-frame alpha would not)', () => {
  const at = (fps: number, jitter: number) => {
    const r = seeded(fps);
    const tr = new FaceTracker({ halfLifeMs: 500 });
    let out: TrackedFace[] = [];
    const times: number[] = [];
    for (let k = 0; k * (1000 / fps) <= 2000; k++) times.push(k === 0 || k * (1000 / fps) === 1000 ? k * (1000 / fps) : k * (1000 / fps) + (r() - 0.5) * jitter);
    times.push(2000);
    for (const t of times) out = tr.update(t, [{ box: box(10, 10), scores: t < 1000 ? onehot('neutral') : onehot('happiness') }]);
    return out[0].smoothed.happiness;
  };
  const v10 = at(10, 0);
  const v30 = at(30, 10);
  const v60 = at(60, 5);
  // After 1 s = 2 half-lives of happiness: 3/4 of the way from 0.0167 to 0.9 (to within one frame's sampling).
  const expect = 0.9 - (0.9 - 0.1 / 6) * 0.25;
  for (const v of [v10, v30, v60]) assert.ok(Math.abs(v - expect) < 0.06, `${v} vs ${expect}`);
  assert.ok(Math.abs(v30 - v60) < 0.02 && Math.abs(v10 - v60) < 0.06, `${v10} ${v30} ${v60}`);
  // A fixed per-frame alpha tuned for 30 fps lands elsewhere at 10 and 60 fps.
  const alpha = smoothingWeight(1000 / 30, 500);
  const fixed = (fps: number) => 0.9 - (0.9 - 0.1 / 6) * (1 - alpha) ** (fps * 1);
  assert.ok(Math.abs(fixed(10) - fixed(60)) > 0.3);
});

test('detection every N frames: carried boxes follow the motion, ids stay, the detector runs 1 frame in N', async () => {
  // A fake recognizer over synthetic frames: a frame is the list of true faces (box + expression).
  type Frame = Array<{ box: FaceBox; e: Expression }>;
  let detections = 0;
  let carriedCalls = 0;
  const rec = {
    async recognize(frame: Frame, opts: { faces?: Array<{ box: FaceBox; landmarks: { x: number; y: number }[] }> } = {}) {
      if (!opts.faces) {
        detections++;
        return { width: 640, height: 480, faces: frame.map((f) => ({ box: f.box, landmarks: eyes(f.box), scores: Object.fromEntries(EXPRESSIONS.map((e, i) => [e, onehot(f.e)[i]])) as Record<Expression, number> })) };
      }
      carriedCalls++;
      // Score whichever true face the carried box overlaps most.
      return {
        width: 640, height: 480,
        faces: opts.faces.map((c) => {
          const f = frame.reduce((a, b) => (iou(b.box, c.box) > iou(a.box, c.box) ? b : a));
          return { box: c.box, landmarks: c.landmarks, scores: Object.fromEntries(EXPRESSIONS.map((e, i) => [e, onehot(f.e)[i]])) as Record<Expression, number> };
        }),
      };
    },
  };
  const stream = createFaceStream(rec, { detectEvery: 5, halfLifeMs: 200 });
  const ids = new Set<string>();
  let worst = 1;
  for (let k = 0; k < 60; k++) {
    const t = (k * 1000) / 30;
    const frame: Frame = [{ box: box(50 + k * 4, 100), e: 'happiness' }, { box: box(500 - k * 2, 300), e: 'fear' }];
    const r = await stream.process(frame, t);
    assert.equal(r.detected, k % 5 === 0);
    assert.equal(r.faces.length, 2);
    r.faces.forEach((f) => ids.add(`${f.trackId}:${f.label}`));
    if (k > 5) r.faces.forEach((f, i) => (worst = Math.min(worst, iou(f.box, frame[i].box))));
  }
  assert.equal(detections, 12);
  assert.equal(carriedCalls, 48);
  assert.deepEqual([...ids].sort(), ['1:happiness', '2:fear']);
  assert.ok(worst > 0.9, `carried boxes overlap the true faces by IoU >= ${worst.toFixed(3)}`);
  assert.throws(() => createFaceStream(rec, { detectEvery: 0 }), /detectEvery/);
  // A live stream asks for one pass per face unless told otherwise: no mirror, no test-time frames.
  const seen: unknown[] = [];
  const spy = { recognize: async (frame: Frame, opts: object = {}) => (seen.push(opts), rec.recognize(frame, opts)) };
  const frame: Frame = [{ box: box(50, 100), e: 'happiness' }];
  await createFaceStream(spy).process(frame, 0);
  await createFaceStream(spy, { tta: 'flip', ttaFrames: [{ eyeY: 0.41, eyeDistance: 0.27, aspect: 1 }] }).process(frame, 0);
  assert.deepEqual(seen, [{ tta: 'none', ttaFrames: [] }, { tta: 'flip', ttaFrames: [{ eyeY: 0.41, eyeDistance: 0.27, aspect: 1 }] }]);
});

test('summaries: time on screen, dominant expression, shares', () => {
  const tr = new FaceTracker({ halfLifeMs: 0 });
  const frames: TrackedFace[][] = [];
  for (let k = 0; k < 20; k++) {
    const obs: Observation[] = [{ box: box(0, 0), scores: onehot(k < 15 ? 'happiness' : 'sadness') }];
    if (k >= 10) obs.push({ box: box(300, 0), scores: onehot('anger') });
    frames.push(tr.update(k * 100, obs));
  }
  const s = summarizeTracks(frames, 100);
  assert.equal(s.length, 2);
  assert.equal(s[0].frames, 20);
  assert.ok(Math.abs(s[0].seconds - 2) < 1e-9);
  assert.equal(s[0].dominant, 'happiness');
  assert.ok(Math.abs(s[0].share.happiness - 0.75) < 1e-9 && Math.abs(s[0].share.sadness - 0.25) < 1e-9);
  assert.equal(s[1].firstSeconds, 1);
  assert.equal(s[1].dominant, 'anger');
  assert.ok(Math.abs(Object.values(s[1].share).reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

test('bad options and inputs name the parameter', () => {
  assert.throws(() => new FaceTracker({ halfLifeMs: -1 }), /halfLifeMs/);
  assert.throws(() => new FaceTracker({ minIou: 0 }), /minIou/);
  assert.throws(() => new FaceTracker().update(Number.NaN, []), /timeMs/);
  assert.throws(() => new FaceTracker().update(0, [{ box: box(0, 0), scores: [0.5, 0.5] }]), /scores/);
});

test('a slow detection cadence (frames further apart than lostAfterMs) does not end tracks the detector still sees', () => {
  const tr = new FaceTracker({ lostAfterMs: 1000 });
  const ids = new Set<number>();
  for (let k = 0; k < 6; k++) for (const f of tr.update(k * 1500, [{ box: box(100 + k * 10, 100), scores: onehot('fear') }])) ids.add(f.trackId);
  assert.deepEqual([...ids], [1]);
  // Missed once, then looked for again 1.5 s after its last detection: ended, a new id.
  tr.update(9000, []);
  assert.deepEqual(tr.update(9100, [{ box: box(150, 100), scores: onehot('fear') }]).map((f) => f.trackId), [2]);
});
