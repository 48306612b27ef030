// Fake-camera clips for the webcam page (test and bench): Y4M files ffmpeg makes from the sample photos
// @vladmandic/face-api ships, 640x480 at 30 fps, with a slow pan so boxes move. Chromium plays them in a loop as
// its camera (--use-file-for-fake-video-capture).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { samplePhotos } from '../../src/recognizer/files.js';

/** Crops (in the 1920-wide sample photo) that hold one and three faces. */
const SCENES = {
  one: { photo: 1, x: 700, y: 300, w: 640, h: 480 }, // sample1: the face at (850, 471)
  three: { photo: 3, x: 540, y: 200, w: 1220, h: 915 }, // sample3: three faces
};

export function webcamClip(dir: string, faces: keyof typeof SCENES, seconds = 1): string {
  const s = SCENES[faces];
  const out = join(dir, `webcam-${faces}.y4m`);
  const vf = `crop=${s.w}:${s.h}:'${s.x}+${Math.round(s.w / 40)}*t':${s.y},scale=640:480,format=yuv420p`;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-loop', '1', '-framerate', '30', '-i', samplePhotos()[s.photo - 1], '-t', String(seconds), '-vf', vf, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  return out;
}

/** Chromium flags for a fake camera playing `clip`, permission granted without a prompt. */
export const fakeCamera = (clip: string) => ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`, '--autoplay-policy=no-user-gesture-required'];
