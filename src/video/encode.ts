// Raw RGB frames -> a video file through ffmpeg (H.264 in MP4 by default; the container follows the extension).
// Written to a temp file beside the target and renamed when ffmpeg has finished: never a half-written video.
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileError } from '../errors.js';
import { ffmpegPath, lastLine, missingFfmpeg } from './ffmpeg.js';

let seq = 0;

export class VideoWriter {
  private proc;
  private readonly tmp: string;
  private stderr = '';
  private failed: Error | null = null;
  private closed: Promise<number | null>;

  constructor(readonly out: string, readonly width: number, readonly height: number, readonly fps: number) {
    mkdirSync(dirname(out), { recursive: true });
    const ext = extname(out) || '.mp4';
    this.tmp = join(dirname(out), `.${basename(out, extname(out))}.tmp-${process.pid}-${seq++}${ext}`);
    const h264 = /^\.(mp4|mkv|mov|m4v)$/i.test(ext);
    const args = [
      '-hide_banner', '-nostdin', '-v', 'error', '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', String(fps), '-i', 'pipe:0',
      // yuv420p needs even sizes.
      '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
      ...(h264 ? ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'] : []),
      ...(/^\.(mp4|mov|m4v)$/i.test(ext) ? ['-movflags', '+faststart'] : []),
      this.tmp,
    ];
    this.proc = spawn(ffmpegPath(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    this.proc.stdin.on('error', (err) => (this.failed ??= err));
    this.closed = new Promise((resolve) => {
      this.proc.on('error', (err: NodeJS.ErrnoException) => {
        this.failed = err.code === 'ENOENT' ? missingFfmpeg(ffmpegPath()) : err;
        resolve(null);
      });
      this.proc.on('close', (code) => resolve(code));
    });
  }

  /** Appends one frame ([height, width, 3] RGB); waits when ffmpeg is behind. */
  async write(rgb: Uint8Array): Promise<void> {
    if (this.failed) throw this.error();
    if (!this.proc.stdin.write(rgb)) await new Promise<void>((r) => this.proc.stdin.once('drain', () => r()));
  }

  private error(): Error {
    return fileError(this.out, `cannot write the video: ${lastLine(this.stderr) || this.failed?.message || 'ffmpeg failed'}`);
  }

  /** Finishes the file and moves it into place; on failure removes the temp file and throws. */
  async finish(): Promise<void> {
    this.proc.stdin.end();
    const code = await this.closed;
    if (code !== 0 || this.failed) {
      rmSync(this.tmp, { force: true });
      if (this.failed && /not found/.test(this.failed.message)) throw this.failed;
      throw this.error();
    }
    renameSync(this.tmp, this.out);
  }

  /** Drops the output (no file is left behind). */
  async abort(): Promise<void> {
    this.proc.stdin.destroy();
    this.proc.kill('SIGKILL');
    await this.closed;
    rmSync(this.tmp, { force: true });
  }
}
