// The webcam page (examples/browser/index.html) in headless Chromium with a fake 640x480 camera at 30 fps playing a
// clip made at bench time from a packaged sample photo (one face, three faces): frames the page processes per second
// (one recognition per new camera frame: the camera's 30 fps is the ceiling), on 1 and 2 onnxruntime-web threads
// (2 needs the cross-origin-isolated page), at the page's default detection cadence and at detect-every-frame.
// Run: node --import tsx bench/webcam.ts [--out bench/results/webcam] [--frames 60] [--configs one:2:3,...]
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir } from '../src/runtime/node-packages.js';
import { packageRoot } from '../src/util/package-root.js';
import { writeAtomic } from '../src/util/atomic.js';
import { buildBrowser } from '../scripts/build-browser.mjs';
import { NO_CHROMIUM, runPage } from '../test/browser/harness.js';
import { fakeCamera, webcamClip } from '../test/browser/webcam-clip.js';
import type { WebcamReport } from '../test/browser/webcam.test.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const OUT = opt('out', 'bench/results/webcam');
const FRAMES = Number(opt('frames', '60'));
const WARMUP = 10;
if (NO_CHROMIUM) {
  console.error(`skipped: ${NO_CHROMIUM}`);
  process.exit(0);
}
const ROOT = packageRoot();
const work = mkdtempSync(join(tmpdir(), 'cafe-bench-webcam-'));
try {
  await buildBrowser({ out: join(work, 'dist'), minified: true });
  const clips = { one: webcamClip(work, 'one', 2), three: webcamClip(work, 'three', 2) };
  const runs: Array<{ faces: 1 | 3; threads: number; detectEvery: number; fps: number; waitMs: number; processMs: number; drawMs: number; frames: number; meanFaces: number; tracks: number; isolated: boolean }> = [];
  // --configs one:2:3,three:1:3 (scene:threads:detectEvery) runs a subset; default: all six.
  const configs: Array<[keyof typeof clips, number, number]> = args.includes('--configs')
    ? opt('configs', '').split(',').map((c) => c.split(':')).map(([s, t, d]) => [s as keyof typeof clips, Number(t), Number(d)])
    : [['one', 1, 3], ['one', 2, 3], ['three', 1, 3], ['three', 2, 3], ['one', 2, 1], ['three', 2, 1]];
  for (const [scene, threads, detectEvery] of configs) {
    const run = await runPage<WebcamReport>({
      mounts: { '/dist/': join(work, 'dist'), '/model/': join(ROOT, 'models', 'cafe-ferplus'), '/human/': join(packageDir('@vladmandic/human'), 'models'), '/': join(ROOT, 'examples', 'browser') },
      pages: {},
      page: `/index.html?autostart=1&frames=${FRAMES}&warmup=${WARMUP}&threads=${threads}&detectEvery=${detectEvery}${scene === 'three' && threads === 2 && detectEvery === 3 ? '&snapshot=1' : ''}`,
      isolate: threads > 1,
      chromeArgs: fakeCamera(clips[scene]),
      timeoutMs: 600_000,
    });
    const r = run.result;
    if (!r.ok) throw new Error(`page failed: ${r.error}\n${run.log.slice(-2000)}`);
    // The page's last frame (boxes, track ids, labels), for the README: a picture of the demo on a packaged photo.
    if (r.snapshot) writeAtomic(`${OUT}-3faces.png`, Buffer.from(r.snapshot.split(',')[1], 'base64'));
    const counted = r.faces.slice(WARMUP);
    const row = { faces: (scene === 'one' ? 1 : 3) as 1 | 3, threads: r.threads, detectEvery, fps: r.fps, waitMs: r.timing.wait / FRAMES, processMs: r.timing.process / FRAMES, drawMs: r.timing.draw / FRAMES, frames: FRAMES, meanFaces: counted.reduce((a, b) => a + b, 0) / counted.length, tracks: Object.keys(r.tracks).length, isolated: r.isolated };
    runs.push(row);
    console.error(JSON.stringify(row));
  }
  const command = `node --import tsx bench/webcam.ts${args.length ? ' ' + args.join(' ') : ''}`;
  const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
  const dirty = execSync('git status --porcelain -- src examples bench/webcam.ts test/browser models', { encoding: 'utf8' }).trim() !== '';
  const result = { command, commit, dirty, date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0]?.model}`, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), camera: '640x480 @ 30 fps (fake, Y4M)', warmupFrames: WARMUP, runs };
  const md = [
    '# Webcam page fps (headless Chromium, fake camera)', '',
    `\`${command}\` at \`${commit}\`${dirty ? ' (uncommitted changes)' : ''}, ${result.date}, ${result.machine}, load average ${result.loadAverage.join(' ')} (a shared machine: absolute speeds are pessimistic).`, '',
    `examples/browser/index.html?autostart=1 with Chromium's fake camera playing a 640x480, 30 fps clip made from a packaged sample photo (face-api's demo/sample1.jpg for one face, sample3.jpg for three). The page runs one recognition per new camera frame (30 fps is the ceiling), draws boxes, labels and bars; fps = ${FRAMES} frames after ${WARMUP} warm-up frames over their wall time.`, '',
    'Per frame (ms): waiting for a new camera frame, recognition (`stream.process`: decode, detect or carry, align, model), drawing the overlay and bars.', '',
    '| faces | threads | detector every | fps | wait | recognition | drawing | faces found per frame | tracks |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map((r) => `| ${r.faces} | ${r.threads} | ${r.detectEvery === 1 ? 'frame' : `${r.detectEvery} frames`} | ${r.fps.toFixed(1)} | ${r.waitMs.toFixed(1)} | ${r.processMs.toFixed(1)} | ${r.drawMs.toFixed(1)} | ${r.meanFaces.toFixed(2)} | ${r.tracks} |`),
    '',
  ].join('\n');
  for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
  console.log(md);
} finally {
  rmSync(work, { recursive: true, force: true });
}
