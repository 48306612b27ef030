// Regenerates README's `cafe video` pictures with the default model: docs/video-timeline.svg (--plot) and
// docs/video-annotated.jpg (the frame at 2 s of --annotate, 960 x 540), on bench/video.ts' sliding clip
// (helpers/pan-clip.ts) of face-api's packaged sample photo demo/sample5.jpg, at `cafe video` defaults.
// Run: node --import tsx bench/video-docs.ts
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { samplePhotos } from '../src/recognizer/files.js';
import { ffmpeg, PAN_FPS, panClip } from './helpers/pan-clip.js';

const photo = samplePhotos().find((p) => p.endsWith('sample5.jpg'));
if (!photo) throw new Error('demo/sample5.jpg is not among the packaged sample photos');
const tmp = mkdtempSync(join(tmpdir(), 'cafe-video-docs-'));
try {
  const clip = join(tmp, 'clip.mp4');
  panClip(photo, clip);
  const rc = await main(['video', clip, '--fps', String(PAN_FPS), '--format', 'csv', '--out', join(tmp, 'rows.csv'), '--plot', join(tmp, 'timeline.svg'), '--annotate', join(tmp, 'annotated.mp4')]);
  if (rc !== 0) throw new Error(`cafe video exited with ${rc}`);
  ffmpeg(['-ss', '2', '-i', join(tmp, 'annotated.mp4'), '-frames:v', '1', '-vf', 'scale=960:540', '-q:v', '4', join(tmp, 'annotated.jpg')]);
  copyFileSync(join(tmp, 'timeline.svg'), 'docs/video-timeline.svg');
  copyFileSync(join(tmp, 'annotated.jpg'), 'docs/video-annotated.jpg');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
