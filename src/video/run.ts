// One video through the recognizer: probe -> decode (ffmpeg, sampled at --fps) -> detect every N frames, carry
// boxes in between -> track + smooth -> per-frame callback, optional annotated video, per-track summary and the
// timeline the plot draws. Bad sources fail before anything is written; a stream that breaks off part way is
// reported (`incomplete`) with everything up to there kept.
import { fileError } from '../errors.js';
import type { Expression } from '../labels.js';
import type { Recognizer } from '../recognizer/core.js';
import type { RecognizerInput } from '../recognizer/decode.js';
import { createFaceStream, type FaceStreamOptions, type FrameResult } from '../track/stream.js';
import { TrackSummaries, type TrackSummary } from '../track/summary.js';
import { FrameDecoder, type VideoFrame } from './decode.js';
import { drawFaces } from './draw.js';
import { VideoWriter } from './encode.js';
import type { TimelinePoint } from './plot.js';
import { probeVideo, type VideoInfo } from './probe.js';

export interface VideoRunOptions extends FaceStreamOptions {
  /** Frames per second sampled from the video; default: the stream's average frame rate. */
  fps?: number;
  /** Frames larger than this (longest side) are scaled down by ffmpeg before recognition; default 1920. */
  maxSide?: number;
  /** Stop after this many seconds of video (a capture device runs until stopped otherwise). */
  maxSeconds?: number;
  /** Write the video with boxes and labels here (temp file, renamed when complete). */
  annotate?: string;
  /** Called for each frame, in order. */
  onFrame?: (r: FrameResult, frame: VideoFrame) => void;
  /** What probeVideo said of the source, when the caller already asked (saves a second ffprobe). */
  info?: VideoInfo;
  /** Called once the source has been probed (before the first frame). */
  onStart?: (info: VideoInfo, fps: number, expectedFrames: number | null) => void;
  /** Polled between frames: true stops the run (outputs are finished with the frames so far). */
  shouldStop?: () => boolean;
}

export interface VideoRunResult {
  info: VideoInfo;
  /** Sampling rate used. */
  fps: number;
  /** Frame size recognized (after rotation and maxSide). */
  width: number;
  height: number;
  frames: number;
  framesWithFaces: number;
  /** Frames the detector ran on. */
  detections: number;
  summaries: TrackSummary[];
  /** trackId -> smoothed scores over time, for the plot. */
  timeline: Map<number, TimelinePoint[]>;
  /** Wall time of decoding + recognition, s. */
  seconds: number;
  /** Set when the stream ended early (truncated / corrupt part way): what ffmpeg said and how far it got. */
  incomplete: string | null;
  /** true when shouldStop() ended the run. */
  stopped: boolean;
}

/** Decoded frame size: the displayed size, scaled to fit maxSide, even sides (what encoders want). */
export function frameSize(info: VideoInfo, maxSide: number): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(info.width, info.height));
  const even = (v: number) => Math.max(2, 2 * Math.round((v * s) / 2));
  return { width: even(info.width), height: even(info.height) };
}

export async function processVideo(recognizer: Recognizer<RecognizerInput>, source: string, options: VideoRunOptions = {}): Promise<VideoRunResult> {
  const info = options.info ?? (await probeVideo(source));
  const fps = options.fps ?? info.fps;
  const { width, height } = frameSize(info, options.maxSide ?? 1920);
  const span = info.duration === null ? options.maxSeconds ?? null : Math.min(info.duration, options.maxSeconds ?? Infinity);
  const expected = span === null ? null : Math.max(1, Math.round(span * fps));
  options.onStart?.(info, fps, expected);
  const stream = createFaceStream(recognizer, options);
  const summaries = new TrackSummaries();
  const timeline = new Map<number, TimelinePoint[]>();
  const decoder = new FrameDecoder(source, { fps, width, height, maxSeconds: options.maxSeconds });
  const writer = options.annotate ? new VideoWriter(options.annotate, width, height, fps) : null;
  const t0 = performance.now();
  let frames = 0;
  let framesWithFaces = 0;
  let detections = 0;
  let stopped = false;
  try {
    for await (const frame of decoder.frames()) {
      const r = await stream.process({ width, height, channels: 3, data: frame.data }, frame.time);
      frames++;
      if (r.detected) detections++;
      if (r.faces.length) framesWithFaces++;
      summaries.add(r.faces, 1000 / fps);
      for (const f of r.faces) {
        let pts = timeline.get(f.trackId);
        if (!pts) timeline.set(f.trackId, (pts = []));
        pts.push({ t: f.time / 1000, smoothed: f.smoothed as Record<Expression, number> });
      }
      options.onFrame?.(r, frame);
      if (writer) await writer.write(await drawFaces(frame.data, width, height, r.faces));
      if (options.shouldStop?.()) {
        stopped = true;
        decoder.stop();
        break;
      }
    }
    const end = await decoder.end();
    let incomplete: string | null = null;
    const reached = frames / fps;
    const why = decoder.lastError;
    if (!end.stopped && frames === 0) throw fileError(source, `no frame could be decoded${why ? ` (ffmpeg: ${why})` : ''}`);
    if (!end.stopped && (end.code !== 0 || (why && span !== null && reached < span - 2 / fps))) {
      incomplete = `the video stream broke off after ${frames} frames (${reached.toFixed(2)} s${span !== null ? ` of ${span.toFixed(2)} s` : ''}): truncated or corrupt${why ? ` (ffmpeg: ${why})` : ''}`;
    }
    await writer?.finish();
    return {
      info, fps, width, height, frames, framesWithFaces, detections, summaries: summaries.result(), timeline,
      seconds: (performance.now() - t0) / 1000, incomplete, stopped,
    };
  } catch (err) {
    decoder.stop();
    await writer?.abort();
    throw err;
  }
}
