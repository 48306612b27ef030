// The sliding-photo clip of bench/video.ts (id switches) and bench/video-docs.ts (README's pictures): a photo scaled
// to 720 px high on a black 1280 x 720 frame, sliding right PAN_SPEED px/s for PAN_SECONDS at PAN_FPS. Faces never
// cross, and a face's position in the photo is its box centre minus t * PAN_SPEED.
import { spawnSync } from 'node:child_process';

export const PAN_SPEED = 50; // px/s in the 1280-wide frame
export const PAN_SECONDS = 4;
export const PAN_FPS = 10;

/** ffmpeg with the bench's quiet flags; throws with its stderr. */
export function ffmpeg(a: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...a], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${a.join(' ')}: ${r.stderr}`);
}

/** Writes the pan over `photo` to `out` (H.264 MP4). */
export function panClip(photo: string, out: string): void {
  ffmpeg([
    '-loop', '1', '-framerate', String(PAN_FPS), '-i', photo,
    '-f', 'lavfi', '-i', `color=black:s=1280x720:r=${PAN_FPS}`, '-t', String(PAN_SECONDS),
    '-filter_complex', `[0]scale=-2:720[fg];[1][fg]overlay=x='t*${PAN_SPEED}':y=0:shortest=1`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', out,
  ]);
}
