// ffmpeg -> raw RGB frames on a pipe, sampled at a constant rate. The fps filter resamples by timestamp, so a
// variable-frame-rate stream comes out at true times; ffmpeg applies the rotation in the metadata, and the final
// scale pins the frame size to what probe.ts computed, so frames on the pipe can always be cut at a fixed length.
import { spawn } from 'node:child_process';
import { ffmpegPath, inputArgs, lastLine, missingFfmpeg } from './ffmpeg.js';

export interface DecodeOptions {
  /** Frames per second to sample. */
  fps: number;
  /** Output frame size (the displayed size from probeVideo, or smaller). */
  width: number;
  height: number;
  /** Stop after this many seconds of video (capture devices run until stopped otherwise). */
  maxSeconds?: number;
}

export interface VideoFrame {
  /** 0-based index of the sampled frame. */
  index: number;
  /** Its time in ms from the start of the stream (index / fps). */
  time: number;
  width: number;
  height: number;
  /** RGB, row-major: [height, width, 3]. */
  data: Uint8Array;
}

export interface DecodeEnd {
  /** Frames delivered. */
  frames: number;
  /** ffmpeg's exit code (null when it was stopped by stop()). */
  code: number | null;
  /** Its error output (-v error: only problems), for reports of corrupt or truncated input. */
  stderr: string;
  stopped: boolean;
}

export class FrameDecoder {
  private proc;
  private stderr = '';
  private stoppedByUs = false;
  private delivered = 0;
  private closed: Promise<number | null>;
  private spawnError: Error | null = null;

  constructor(readonly source: string, readonly options: DecodeOptions) {
    const { fps, width, height, maxSeconds } = options;
    const args = [
      '-hide_banner', '-nostdin', '-v', 'error', ...inputArgs(source),
      ...(maxSeconds ? ['-t', String(maxSeconds)] : []),
      '-map', '0:v:0', '-an', '-sn', '-dn',
      '-vf', `fps=${fps},scale=${width}:${height}:flags=bilinear`,
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ];
    this.proc = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => {
      if (this.stderr.length < 64_000) this.stderr += d;
    });
    this.closed = new Promise((resolve) => {
      this.proc.on('error', (err: NodeJS.ErrnoException) => {
        this.spawnError = err.code === 'ENOENT' ? missingFfmpeg(ffmpegPath()) : err;
        resolve(null);
      });
      this.proc.on('close', (code) => resolve(code));
    });
  }

  /** The sampled frames, in order. */
  async *frames(): AsyncGenerator<VideoFrame> {
    const { width, height, fps } = this.options;
    const size = width * height * 3;
    let buf = new Uint8Array(size);
    let fill = 0;
    for await (const chunk of this.proc.stdout as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(size - fill, chunk.length - off);
        buf.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === size) {
          const index = this.delivered++;
          yield { index, time: (index * 1000) / fps, width, height, data: buf };
          buf = new Uint8Array(size);
          fill = 0;
        }
      }
      if (this.stoppedByUs) break;
    }
    if (this.spawnError) throw this.spawnError;
  }

  /** Stops decoding early (the last frame yielded stays the last). */
  stop(): void {
    this.stoppedByUs = true;
    this.proc.kill('SIGTERM');
  }

  /** Waits for ffmpeg to exit; what it reported. */
  async end(): Promise<DecodeEnd> {
    const code = await this.closed;
    if (this.spawnError) throw this.spawnError;
    return { frames: this.delivered, code: this.stoppedByUs ? null : code, stderr: this.stderr, stopped: this.stoppedByUs };
  }

  /** ffmpeg's last error line, if any. */
  get lastError(): string {
    return lastLine(this.stderr);
  }
}
