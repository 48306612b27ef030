// `cafe video` speed vs face-api on the same frames, and id switches on clips whose faces do not cross.
//   speed  a 1280x720 clip made at bench time (temp dir, deleted after) from the SFEW frames in photos/sfew-frames:
//          each frame letterboxed to 720p and held for --hold s at --fps (a shot per frame, cuts between shots).
//          cafe video's pipeline (ffmpeg decode -> detect every N frames, carried boxes in between -> track +
//          smooth -> rows), wall time per frame, at its default --detect-every and at 1; face-api
//          detectAllFaces().withFaceExpressions() on the same decoded frames (every --faceapi-every-th one), timed
//          per call (no decoding charged to it).
//   ids    clips sliding each packaged sample photo (face-api's demo/sample*.jpg) slowly across a 720p frame (faces
//          never cross); a face's position in the photo is its box centre minus the known slide offset, so a track whose
//          photo position jumps to another face is a switch, and a face covered by more than one track is split.
// Run: node --import tsx bench/video.ts [--out bench/results/video] [--datasets DIR]
//      [--frames 36] [--hold 1] [--fps 5] [--faceapi-every 3]
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecognizer } from '../src/recognizer/recognizer.js';
import { samplePhotos } from '../src/recognizer/files.js';
import { createFaceApi } from '../src/peers/faceapi.js';
import { processVideo } from '../src/video/run.js';
import { FrameDecoder } from '../src/video/decode.js';
import { videoRows, DEFAULT_DETECT_EVERY } from '../src/cli/commands/video.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';
import { ffmpeg, PAN_FPS, PAN_SECONDS, PAN_SPEED, panClip } from './helpers/pan-clip.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROOT = datasetsRoot(opt('datasets'));
const FRAMES = join(ROOT, 'photos/sfew-frames');
const OUT = opt('out', 'bench/results/video')!;
const N_FRAMES = Number(opt('frames', '36'));
const HOLD = Number(opt('hold', '1'));
const FPS = Number(opt('fps', '5'));
const FA_EVERY = Number(opt('faceapi-every', '3'));
if (!existsSync(FRAMES)) {
  console.error(`skipped: photos/sfew-frames is absent; ${datasetsHint(ROOT)}`);
  process.exit(0);
}

// SFEW frames, round-robin over the classes so a prefix covers all seven.
const byClass = readdirSync(FRAMES).sort().map((c) => readdirSync(join(FRAMES, c)).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(FRAMES, c, f)));
const picked: string[] = [];
for (let k = 0; picked.length < N_FRAMES && k < 100; k++) for (const list of byClass) if (list[k] && picked.length < N_FRAMES) picked.push(list[k]);

const tmp = mkdtempSync(join(tmpdir(), 'cafe-bench-video-'));
try {
  // concat demuxer: each image held HOLD s; letterboxed to 1280x720; constant FPS.
  const list = picked.map((p) => `file '${p.replace(/'/g, "'\\''")}'\nduration ${HOLD}`).join('\n') + `\nfile '${picked[picked.length - 1].replace(/'/g, "'\\''")}'\n`;
  const listFile = join(tmp, 'list.txt');
  writeAtomic(listFile, list);
  const clip = join(tmp, 'sfew-720p.mp4');
  ffmpeg(['-f', 'concat', '-safe', '0', '-i', listFile, '-vf', `scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,fps=${FPS}`, '-t', String(picked.length * HOLD), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', clip]);

  const fer = await createRecognizer();
  const model = fer.model.manifest.name;
  // Warm-up (tfjs/onnxruntime first-call costs) on a few frames, untimed.
  await processVideo(fer, clip, { fps: FPS, maxSeconds: 1 });

  const cafeRun = async (detectEvery: number) => {
    let rows = 0;
    const r = await processVideo(fer, clip, { fps: FPS, detectEvery, onFrame: (fr) => (rows += videoRows(fr, 'json').length) });
    return { detectEvery, frames: r.frames, framesWithFaces: r.framesWithFaces, detections: r.detections, tracks: r.summaries.length, rows, seconds: r.seconds, framesPerSecond: r.frames / r.seconds };
  };
  const cafeDefault = await cafeRun(DEFAULT_DETECT_EVERY);
  console.error(`cafe video (detect every ${DEFAULT_DETECT_EVERY}): ${cafeDefault.framesPerSecond.toFixed(2)} frames/s`);
  const cafeEvery1 = await cafeRun(1);
  console.error(`cafe video (detect every frame): ${cafeEvery1.framesPerSecond.toFixed(2)} frames/s`);

  // face-api on the same decoded frames.
  const faceapi = await createFaceApi();
  const dec = new FrameDecoder(clip, { fps: FPS, width: 1280, height: 720 });
  let faSeconds = 0;
  let faFrames = 0;
  let faFaces = 0;
  let warmed = false;
  for await (const f of dec.frames()) {
    if (f.index % FA_EVERY !== 0) continue;
    const img = { width: f.width, height: f.height, channels: 3 as const, data: f.data };
    if (!warmed) {
      await faceapi.detectAll(img);
      warmed = true;
    }
    const t0 = performance.now();
    faFaces += (await faceapi.detectAll(img)).length;
    faSeconds += (performance.now() - t0) / 1000;
    faFrames++;
  }
  await dec.end();
  const faceApi = { frames: faFrames, faces: faFaces, seconds: faSeconds, framesPerSecond: faFrames / faSeconds };
  console.error(`face-api: ${faceApi.framesPerSecond.toFixed(2)} frames/s`);

  // Id switches on non-crossing pans over the sample photos.
  const idClips = [];
  for (const photo of samplePhotos()) {
    const name = photo.split('/').pop()!;
    const c = join(tmp, `pan-${name}.mp4`);
    panClip(photo, c);
    const rows: Array<{ t: number; track: number; cx: number; cy: number; size: number }> = [];
    const r = await processVideo(fer, c, {
      fps: PAN_FPS,
      onFrame: (fr) => fr.faces.forEach((f) => rows.push({ t: f.time / 1000, track: f.trackId, cx: f.box.x + f.box.width / 2 - (f.time / 1000) * PAN_SPEED, cy: f.box.y + f.box.height / 2, size: f.box.width })),
    });
    // Jumps: a track's photo position moving by more than half a face between consecutive rows.
    let jumps = 0;
    const byTrack = new Map<number, typeof rows>();
    for (const row of rows) byTrack.set(row.track, [...(byTrack.get(row.track) ?? []), row]);
    for (const rs of byTrack.values()) for (let i = 1; i < rs.length; i++) if (Math.hypot(rs[i].cx - rs[i - 1].cx, rs[i].cy - rs[i - 1].cy) > rs[i].size / 2) jumps++;
    // Faces = tracks' mean photo positions clustered within half a face; extra tracks on one face are splits.
    const means = [...byTrack.values()].map((rs) => ({ x: rs.reduce((a, b) => a + b.cx, 0) / rs.length, y: rs.reduce((a, b) => a + b.cy, 0) / rs.length, size: rs.reduce((a, b) => a + b.size, 0) / rs.length }));
    const faces: Array<{ x: number; y: number; size: number; tracks: number }> = [];
    for (const m of means) {
      const f = faces.find((q) => Math.hypot(q.x - m.x, q.y - m.y) < Math.max(q.size, m.size) / 2);
      if (f) f.tracks++;
      else faces.push({ ...m, tracks: 1 });
    }
    const splits = faces.reduce((a, f) => a + f.tracks - 1, 0);
    idClips.push({ photo: name, frames: r.frames, faces: faces.length, tracks: byTrack.size, jumps, splits, idSwitches: jumps + splits });
    console.error(`${name}: ${faces.length} faces, ${byTrack.size} tracks, ${jumps} jumps, ${splits} splits`);
  }
  await fer.dispose();

  const command = `node --import tsx bench/video.ts${args.length ? ' ' + args.join(' ') : ''}`;
  const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
  const dirty = execSync('git status --porcelain -- src bench/video.ts models', { encoding: 'utf8' }).trim() !== '';
  const ratio = cafeDefault.framesPerSecond / faceApi.framesPerSecond;
  const result = {
    command, commit, dirty, date: new Date().toISOString(), model, machine: `${cpus().length} x ${cpus()[0]?.model}`, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    clip: { source: 'photos/sfew-frames', images: picked.length, holdSeconds: HOLD, fps: FPS, width: 1280, height: 720 },
    cafe: cafeDefault, cafeDetectEveryFrame: cafeEvery1, faceApi, speedup: ratio, speedupDetectEveryFrame: cafeEvery1.framesPerSecond / faceApi.framesPerSecond,
    idSwitches: { total: idClips.reduce((a, c) => a + c.idSwitches, 0), clips: idClips },
  };
  const md = [
    '# cafe video: speed vs face-api, id switches', '',
    `\`${command}\` at \`${commit}\`${dirty ? ' (uncommitted changes)' : ''}, ${result.date}, ${result.machine}, load average ${result.loadAverage.join(' ')} (a shared machine: absolute speeds are pessimistic; the ratio is measured in one run).`, '',
    `Model: **${model}**. Clip: ${picked.length} SFEW frames (photos/sfew-frames, round-robin over the classes) letterboxed to 1280x720, each held ${HOLD} s, ${FPS} fps: ${cafeDefault.frames} frames, made in a temp dir and deleted.`, '',
    '| pipeline | frames | detector runs | frames with a face | frames/s | vs face-api |', '|---|---:|---:|---:|---:|---:|',
    `| cafe video (default: detect every ${DEFAULT_DETECT_EVERY} frames), wall time incl. ffmpeg decoding | ${cafeDefault.frames} | ${cafeDefault.detections} | ${cafeDefault.framesWithFaces} | ${cafeDefault.framesPerSecond.toFixed(2)} | ${ratio.toFixed(2)}x |`,
    `| cafe video --detect-every 1, wall time incl. decoding | ${cafeEvery1.frames} | ${cafeEvery1.detections} | ${cafeEvery1.framesWithFaces} | ${cafeEvery1.framesPerSecond.toFixed(2)} | ${result.speedupDetectEveryFrame.toFixed(2)}x |`,
    `| face-api detectAllFaces().withFaceExpressions(), same decoded frames (1 in ${FA_EVERY}), per call | ${faceApi.frames} | ${faceApi.frames} | | ${faceApi.framesPerSecond.toFixed(2)} | 1x |`,
    '',
    `## Id switches on clips whose faces do not cross`, '',
    `Each packaged sample photo (face-api's demo/sample*.jpg) scaled to 720 px high on a black 1280x720 frame, sliding right ${PAN_SPEED} px/s for ${PAN_SECONDS} s at ${PAN_FPS} fps, \`cafe video\` defaults. A *jump*: a track's position in the photo (box centre - slide offset) moves by more than half a face between two of its rows; a *split*: one face covered by more than one track.`, '',
    '| clip | frames | faces | tracks | jumps | splits | id switches |', '|---|---:|---:|---:|---:|---:|---:|',
    ...idClips.map((c) => `| ${c.photo} | ${c.frames} | ${c.faces} | ${c.tracks} | ${c.jumps} | ${c.splits} | ${c.idSwitches} |`),
    `| **total** | | | | | | **${result.idSwitches.total}** |`, '',
  ].join('\n');
  for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
  console.log(md);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
