// ffprobe -> what cafe video needs to know about a source before decoding it.
import { fileError } from '../errors.js';
import { checkSource, ffprobePath, inputArgs, lastLine, run, sourceKind } from './ffmpeg.js';

export interface VideoInfo {
  source: string;
  /** Frame size as displayed: after the rotation in the metadata (90 / 270 swap width and height). */
  width: number;
  height: number;
  /** Rotation from the metadata in degrees (0, 90, 180, 270); ffmpeg applies it while decoding. */
  rotation: number;
  /** Average frame rate (frames / s); variable-frame-rate streams are resampled to a constant rate when decoded. */
  fps: number;
  /** true when the container's nominal and average frame rates disagree (variable frame rate). */
  variableFrameRate: boolean;
  /** Duration in s, or null (capture devices, live streams). */
  duration: number | null;
  codec: string;
}

const rate = (s: string | undefined): number => {
  if (!s) return Number.NaN;
  const [a, b] = s.split('/').map(Number);
  return b ? a / b : a;
};

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number }>;
  disposition?: { attached_pic?: number };
}

/** Reads a source's video stream; errors name the source: missing, not a video, no video stream. */
export async function probeVideo(source: string): Promise<VideoInfo> {
  checkSource(source);
  const r = await run(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', ...inputArgs(source)], 30_000);
  if (r.code !== 0) {
    const why = lastLine(r.stderr) || `ffprobe exited with ${r.code}`;
    throw fileError(source, `${sourceKind(source) === 'device' ? 'cannot open the capture device' : 'not a readable video (corrupt or truncated file?)'}: ${why.replace(`${source}: `, '')}`);
  }
  const info = JSON.parse(r.stdout) as { streams?: ProbeStream[]; format?: { duration?: string; format_name?: string } };
  const streams = info.streams ?? [];
  // Cover art in audio files is a "video" stream with attached_pic: not a video.
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!v) {
    const kinds = streams.map((s) => s.codec_type ?? '?');
    throw fileError(source, `no video stream (${kinds.length ? `streams: ${kinds.join(', ')}` : 'no streams'})`);
  }
  if (!(v.width! > 0 && v.height! > 0)) throw fileError(source, 'the video stream has no frame size (corrupt file?)');
  const matrix = v.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const rotation = ((Math.round(Number(matrix ?? v.tags?.rotate ?? 0) / 90) * 90) % 360 + 360) % 360;
  const swap = rotation === 90 || rotation === 270;
  const avg = rate(v.avg_frame_rate);
  const nominal = rate(v.r_frame_rate);
  const fps = avg > 0 && Number.isFinite(avg) ? avg : nominal > 0 && Number.isFinite(nominal) ? nominal : 25;
  const dur = Number(v.duration ?? info.format?.duration);
  return {
    source,
    width: swap ? v.height! : v.width!,
    height: swap ? v.width! : v.height!,
    rotation,
    fps,
    variableFrameRate: avg > 0 && nominal > 0 && Math.abs(avg - nominal) / nominal > 0.01,
    duration: Number.isFinite(dur) && dur > 0 ? dur : null,
    codec: v.codec_name ?? '?',
  };
}
