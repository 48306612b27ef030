// The webcam mode of examples/browser/index.html in headless Chromium with a fake camera playing a clip the test
// makes with ffmpeg (three faces from a packaged sample photo): the page tracks every face and reports tracks,
// labels, its frame rate and what it drew; the test asserts them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPRESSIONS } from '../../src/labels.js';
import { packageDir } from '../../src/runtime/node-packages.js';
import { packageRoot } from '../../src/util/package-root.js';
import { NO_CHROMIUM, runPage } from './harness.js';
import { fakeCamera, webcamClip } from './webcam-clip.js';

const ROOT = packageRoot();
const MODEL = join(ROOT, 'models', 'cafe-ferplus');
const NO_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0 ? false : 'no ffmpeg (apt-get install ffmpeg)';
const SKIP = NO_CHROMIUM || NO_FFMPEG || (existsSync(join(MODEL, 'model.json')) ? false : 'models/cafe-ferplus absent');

export interface WebcamReport {
  ok: boolean;
  error?: string;
  frames: number;
  fps: number;
  faces: number[];
  tracks: Record<string, { frames: number; labels: Record<string, number> }>;
  width: number;
  height: number;
  threads: number;
  isolated: boolean;
  cameras: string[];
  page: { overlay: [number, number]; bars: number; fpsText: string };
  /** ms summed over the measured frames: waiting for a new camera frame, recognition, drawing. */
  timing: { wait: number; process: number; draw: number };
  /** PNG data URL of the overlay canvas (with &snapshot=1). */
  snapshot?: string;
}

let work: string;
before(() => {
  if (!SKIP) work = mkdtempSync(join(tmpdir(), 'cafe-webcam-'));
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('webcam page: fake camera, three faces tracked with stable ids, labels and bars, fps reported', { skip: SKIP }, async () => {
  const { buildBrowser } = await import('../../scripts/build-browser.mjs');
  await buildBrowser({ out: join(work, 'dist'), minified: true });
  const clip = webcamClip(work, 'three');
  const frames = 20;
  const run = await runPage<WebcamReport>({
    mounts: { '/dist/': join(work, 'dist'), '/model/': MODEL, '/human/': join(packageDir('@vladmandic/human'), 'models'), '/': join(ROOT, 'examples', 'browser') },
    pages: {},
    page: `/index.html?autostart=1&frames=${frames}&warmup=3&threads=2`,
    isolate: true,
    chromeArgs: fakeCamera(clip),
  });
  const r = run.result;
  assert.ok(r.ok, `the page failed: ${r.error}\n${run.log.slice(-3000)}`);
  assert.deepEqual([r.width, r.height], [640, 480]);
  assert.deepEqual(r.page.overlay, [640, 480]);
  assert.equal(r.cameras.length, 1, `cameras: ${r.cameras}`);
  assert.ok(r.isolated && r.threads === 2);
  assert.equal(r.frames, frames + 3);
  assert.ok(r.fps > 0, `fps ${r.fps}`);
  assert.match(r.page.fpsText, /fps, 3 face\(s\)/);
  // Three faces in (nearly) every frame, each one track for the whole run: no id switches.
  assert.ok(r.faces.filter((n) => n === 3).length >= r.frames - 1, `faces per frame: ${r.faces}`);
  const tracks = Object.entries(r.tracks);
  assert.equal(tracks.length, 3, `tracks: ${JSON.stringify(r.tracks)}`);
  for (const [, t] of tracks) {
    assert.ok(t.frames >= r.frames - 1);
    for (const label of Object.keys(t.labels)) assert.ok((EXPRESSIONS as readonly string[]).includes(label));
  }
  // One bar per expression per face.
  assert.equal(r.page.bars, 3 * EXPRESSIONS.length);
});
