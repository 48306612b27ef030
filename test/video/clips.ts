// Test clips made with ffmpeg from the sample photos @vladmandic/face-api ships (MIT): present wherever npm install
// ran. Small (320-480 px) and short (1-3 s) so the video tests stay fast.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplePhotos } from '../../src/recognizer/files.js';

export const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
export const NO_FFMPEG = HAVE_FFMPEG ? false : 'no ffmpeg/ffprobe on PATH (apt-get install ffmpeg)';

export function sample(n: number): string {
  return samplePhotos()[n - 1];
}

export function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

/** A still photo as a clip: `seconds` long at `fps`, scaled to `width`. */
export function stillClip(dir: string, name: string, photo: string, opts: { seconds?: number; fps?: number; width?: number; vf?: string; extra?: string[] } = {}): string {
  const out = join(dir, name);
  const vf = [`scale=${opts.width ?? 480}:-2`, ...(opts.vf ? [opts.vf] : [])].join(',');
  ffmpeg(['-loop', '1', '-framerate', String(opts.fps ?? 10), '-i', photo, '-t', String(opts.seconds ?? 1), '-vf', vf, ...H264, ...(opts.extra ?? []), out]);
  return out;
}

/** A clip panning slowly across a photo: the faces move but never cross. */
export function panClip(dir: string, name: string, photo: string, opts: { seconds?: number; fps?: number; pxPerSecond?: number } = {}): string {
  const out = join(dir, name);
  const speed = opts.pxPerSecond ?? 40;
  ffmpeg(['-loop', '1', '-framerate', String(opts.fps ?? 10), '-i', photo, '-t', String(opts.seconds ?? 2), '-vf', `scale=800:-2,crop=480:ih:'min(iw-480,t*${speed})':0,scale=480:-2`, ...H264, out]);
  return out;
}

/** Rotation metadata: pixels stored turned a quarter, a display rotation that turns them back. */
export function rotatedClip(dir: string, photo: string): string {
  const stored = stillClip(dir, 'rot-stored.mp4', photo, { vf: 'transpose=1' });
  const out = join(dir, 'rotated.mp4');
  ffmpeg(['-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', out]);
  return out;
}

/** Variable frame rate: 10 frames 50 ms apart, then 10 frames ~200 ms apart. */
export function vfrClip(dir: string, photo: string): string {
  const out = join(dir, 'vfr.mp4');
  ffmpeg(['-loop', '1', '-framerate', '20', '-i', photo, '-frames:v', '20', '-vf', "scale=320:-2,setpts='if(lt(N\\,10)\\,N*0.05\\,0.5+(N-10)*0.2)/TB'", '-fps_mode', 'vfr', ...H264, out]);
  return out;
}

export function audioOnly(dir: string): string {
  const out = join(dir, 'audio.m4a');
  ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=1', out]);
  return out;
}

export function noFaceClip(dir: string): string {
  const out = join(dir, 'noface.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=s=320x240:d=1:r=10', ...H264, out]);
  return out;
}

/** The first half of a clip: with the index in front (+faststart) ffmpeg decodes up to the cut; without, nothing. */
export function truncated(dir: string, photo: string, faststart: boolean): string {
  const full = stillClip(dir, `full-${faststart}.mp4`, photo, { seconds: 2, extra: faststart ? ['-movflags', '+faststart'] : [] });
  const out = join(dir, `truncated-${faststart ? 'faststart' : 'plain'}.mp4`);
  writeFileSync(out, readFileSync(full).subarray(0, Math.floor(statSync(full).size / 2)));
  return out;
}
