// Debian's ffmpeg, spawned: ffprobe reads what a video holds (size, rotation, frame rate, duration), ffmpeg decodes
// it to raw RGB frames on a pipe (decode.ts) and encodes annotated frames (encode.ts). No native binding and no
// bundled binary: the user's ffmpeg reads whatever their ffmpeg reads. CAFE_FFMPEG / CAFE_FFPROBE point elsewhere.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { CafeError, fileError } from '../errors.js';

export const ffmpegPath = () => process.env.CAFE_FFMPEG || 'ffmpeg';
export const ffprobePath = () => process.env.CAFE_FFPROBE || 'ffprobe';

/** The error for a missing ffmpeg/ffprobe binary: names the Debian package. */
export function missingFfmpeg(bin: string): CafeError {
  return new CafeError(`${bin} not found: cafe video decodes through ffmpeg. Install Debian's ffmpeg package (sudo apt-get install ffmpeg; it provides ffmpeg and ffprobe), or set CAFE_FFMPEG / CAFE_FFPROBE to the binaries`);
}

/** What a video source is: a file, a capture device (/dev/video*) or a URL ffmpeg opens itself. */
export type SourceKind = 'file' | 'device' | 'url';

export function sourceKind(source: string): SourceKind {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return 'url';
  if (source.startsWith('/dev/')) return 'device';
  return 'file';
}

/** ffmpeg input arguments for a source (v4l2 for capture devices). */
export function inputArgs(source: string): string[] {
  return sourceKind(source) === 'device' ? ['-f', 'v4l2', '-i', source] : ['-i', source];
}

/** Fails early, naming the source, when a file or device is not there (ffmpeg's own message is less clear). */
export function checkSource(source: string): void {
  const kind = sourceKind(source);
  if (kind === 'url') return;
  if (!existsSync(source)) throw fileError(source, kind === 'device' ? 'no such capture device (cameras are /dev/video0, /dev/video1, ...: ls /dev/video*)' : 'no such file');
  if (kind === 'file' && statSync(source).isDirectory()) throw fileError(source, 'is a folder, not a video file');
  if (kind === 'file' && statSync(source).size === 0) throw fileError(source, 'empty file');
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a binary to completion; a missing binary is missingFfmpeg's error. */
export function run(bin: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? missingFfmpeg(bin) : err);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** ffmpeg's last two meaningful stderr lines, without its "[demuxer @ 0x...]" prefixes (for error messages). */
export function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/i, '').trim()).filter(Boolean);
  return [...new Set(lines.slice(-2))].join('; ');
}
