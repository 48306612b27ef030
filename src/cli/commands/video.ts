import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { TTAS, type Tta } from '../../export/manifest.js';
import type { Command } from '../command.js';
import { CafeError, invalidParameter } from '../../errors.js';
import { EXPRESSIONS } from '../../labels.js';
import { Progress } from '../../util/progress.js';
import { writeAtomic } from '../../util/atomic.js';
import { createRecognizer, DEFAULT_MAX_SIDE } from '../../recognizer/recognizer.js';
import { DEFAULT_DETECTOR_OPTIONS } from '../../detect/blazeface.js';
import { DEFAULT_TRACKER_OPTIONS } from '../../track/types.js';
import type { FrameResult } from '../../track/stream.js';
import type { TrackSummary } from '../../track/summary.js';
import { processVideo } from '../../video/run.js';
import { frameListFlag } from '../../detect/align.js';
import { probeVideo } from '../../video/probe.js';
import { timelineSvg } from '../../video/plot.js';
import { sourceKind } from '../../video/ffmpeg.js';
import { EXIT_INTERRUPTED, watchStop } from '../stop.js';

export const DEFAULT_DETECT_EVERY = 3;

const usage = `Usage: cafe video <file|device|url> [options]

Tracks every face through a video and scores its 7 expressions (${EXPRESSIONS.join(', ')}) per frame, raw and
smoothed over time. Decodes through ffmpeg (Debian's ffmpeg package): any file ffmpeg reads, a capture device
(/dev/video0; stop with Ctrl-C or --max-seconds) or a URL. One row per frame per face on stdout (or --out); a
per-track summary on stderr (and --summary). Exit code 0 when the whole video was read, 1 when it could not be read
or broke off part way (outputs then cover the frames read), 130 after Ctrl-C on a file (outputs cover the frames
so far).

Options:
  --fps N            frames per second sampled (default: the video's own rate; variable-rate video is resampled
                     by timestamp, so times stay true)
  --format F         json (JSON lines, default) or csv: time (s), frame, track, box, detected, label, score, raw and
                     smoothed probabilities
  --out FILE         write the rows to FILE instead of stdout (written whole at the end: temp file + rename)
  --summary FILE     write the per-track summary as JSON
  --plot FILE.svg    timeline of the smoothed scores: one panel per face, one labelled line per expression
  --annotate OUT.mp4 the video with boxes, track ids and smoothed labels (dashed box: carried, not detected)
  --tta none|flip    test-time augmentation per frame (default none: the smoothing over frames averages already)
  --tta-frames none|F,...  further frames (ferplus, sfew) each face is also cut in, its logits averaged: one more
                     model pass per listed frame and face, twice that with --tta flip (default none, as --tta)
  --detect-every N   run the face detector every Nth sampled frame; in between each face is scored in its box
                     carried by the tracker (default ${DEFAULT_DETECT_EVERY}; 1 = detect on every frame)
  --half-life MS     smoothing half-life in ms (default ${DEFAULT_TRACKER_OPTIONS.halfLifeMs}; 0 = none)
  --lost-after MS    a face unseen this long ends its track; coming back later it gets a new id (default ${DEFAULT_TRACKER_OPTIONS.lostAfterMs})
  --max-seconds S    stop after S seconds of video
  --max-side N       scale larger frames down to this longest side before recognition (default ${DEFAULT_MAX_SIDE})
  --model DIR        model folder (model.json); default: the shipped model (see MODEL_CARD.md)
  --min-score X      detection score threshold (default ${DEFAULT_DETECTOR_OPTIONS.minScore})
  --min-size N       smallest face side in pixels (default ${DEFAULT_DETECTOR_OPTIONS.minSize})
  --quiet            no progress bar and no summary on stderr`;

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r1 = (x: number) => Math.round(x * 10) / 10;
export const VIDEO_CSV_HEADER = ['time', 'frame', 'track', 'x', 'y', 'width', 'height', 'detected', 'label', 'score', ...EXPRESSIONS.map((e) => `raw_${e}`), ...EXPRESSIONS.map((e) => `smoothed_${e}`)].join(',');

export function videoRows(r: FrameResult, format: 'json' | 'csv'): string[] {
  const t = Math.round(r.time) / 1000;
  return r.faces.map((f) => {
    const box = { x: r1(f.box.x), y: r1(f.box.y), width: r1(f.box.width), height: r1(f.box.height) };
    if (format === 'csv') return [t, r.frame, f.trackId, box.x, box.y, box.width, box.height, f.detected ? 1 : 0, f.label, r4(f.score), ...EXPRESSIONS.map((e) => r4(f.raw[e])), ...EXPRESSIONS.map((e) => r4(f.smoothed[e]))].join(',');
    return JSON.stringify({
      time: t, frame: r.frame, track: f.trackId, box, detected: f.detected, label: f.label, score: r4(f.score),
      raw: Object.fromEntries(EXPRESSIONS.map((e) => [e, r4(f.raw[e])])), smoothed: Object.fromEntries(EXPRESSIONS.map((e) => [e, r4(f.smoothed[e])])),
    });
  });
}

export function summaryLines(s: TrackSummary[]): string[] {
  return s.map((t) => {
    const shares = EXPRESSIONS.filter((e) => t.share[e] >= 0.005).sort((a, b) => t.share[b] - t.share[a]).map((e) => `${e} ${Math.round(100 * t.share[e])}%`);
    return `  face #${t.trackId}: ${t.firstSeconds.toFixed(2)}-${t.lastSeconds.toFixed(2)} s, ${t.seconds.toFixed(2)} s on screen, mostly ${t.dominant} (${shares.join(', ')})`;
  });
}

/** Rows to a temp file beside `path`, renamed into place by commit(), removed by discard(). */
class AtomicLines {
  private tmp: string;
  private stream: WriteStream;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
    this.stream = createWriteStream(this.tmp);
  }
  write(line: string) {
    this.stream.write(line + '\n');
  }
  private close() {
    return new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  async commit() {
    await this.close();
    renameSync(this.tmp, this.path);
  }
  async discard() {
    await this.close().catch(() => undefined);
    rmSync(this.tmp, { force: true });
  }
}

export const video: Command = {
  name: ['video'],
  summary: 'track faces through a video file or camera: per-frame expressions, smoothed; summary, timeline plot, annotated video',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        fps: { type: 'string' },
        format: { type: 'string', default: 'json' },
        out: { type: 'string' },
        summary: { type: 'string' },
        plot: { type: 'string' },
        annotate: { type: 'string' },
        'detect-every': { type: 'string', default: String(DEFAULT_DETECT_EVERY) },
        tta: { type: 'string', default: 'none' },
        'tta-frames': { type: 'string', default: 'none' },
        'half-life': { type: 'string' },
        'lost-after': { type: 'string' },
        'max-seconds': { type: 'string' },
        'max-side': { type: 'string' },
        model: { type: 'string' },
        'min-score': { type: 'string' },
        'min-size': { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
    });
    const format = values.format as 'json' | 'csv';
    if (positionals.length !== 1 || (format !== 'json' && format !== 'csv')) {
      console.error(usage);
      return 2;
    }
    const source = positionals[0];
    const num = (name: string, v: string | undefined, ok: (x: number) => boolean, expected: string) => {
      if (v === undefined) return undefined;
      const x = Number(v);
      if (!ok(x)) throw invalidParameter(`--${name}`, expected, v);
      return x;
    };
    const fps = num('fps', values.fps, (x) => x > 0 && x <= 240, 'frames per second in (0, 240]');
    const detectEvery = num('detect-every', values['detect-every'], (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1')!;
    const halfLifeMs = num('half-life', values['half-life'], (x) => x >= 0 && Number.isFinite(x), 'milliseconds >= 0');
    const lostAfterMs = num('lost-after', values['lost-after'], (x) => x >= 0 && Number.isFinite(x), 'milliseconds >= 0');
    const maxSeconds = num('max-seconds', values['max-seconds'], (x) => x > 0, 'seconds > 0');
    const maxSide = num('max-side', values['max-side'], (x) => Number.isInteger(x) && x >= 64, 'an integer >= 64');
    if (values.plot && extname(values.plot).toLowerCase() !== '.svg') throw invalidParameter('--plot', 'a file name ending in .svg', values.plot);
    const outputs = [values.out, values.summary, values.plot, values.annotate].filter(Boolean) as string[];
    if (new Set(outputs).size !== outputs.length) throw new CafeError('--out, --summary, --plot and --annotate must name different files');
    if (outputs.includes(source)) throw new CafeError(`an output would overwrite the input ${source}`);

    if (values.tta !== undefined && !TTAS.includes(values.tta as Tta)) throw invalidParameter('--tta', TTAS.join(' or '), values.tta);
    const ttaFrames = frameListFlag(values['tta-frames']!, '--tta-frames');
    // Bad sources fail here, before the model loads.
    let info;
    try {
      info = await probeVideo(source);
    } catch (err) {
      if (!(err instanceof CafeError)) throw err;
      console.error(`cafe video: ${err.message}`);
      return 1;
    }
    const fer = await createRecognizer({
      model: values.model,
      detector: { minScore: num('min-score', values['min-score'], (x) => x >= 0 && x <= 1, 'a number in [0, 1]'), minSize: num('min-size', values['min-size'], (x) => x >= 0, 'pixels >= 0') } as never,
      maxSide,
    });
    if (!values.quiet) console.error(`model: ${fer.model.manifest.name} (${fer.model.dir})`);
    const stop = watchStop();
    const rowsFile = values.out ? new AtomicLines(values.out) : null;
    const out = (s: string) => (rowsFile ? rowsFile.write(s) : stop.writeLine(s));
    let progress: Progress | null = null;
    let faces = 0;
    let live = false;
    let lastStatus = performance.now();
    try {
      const r = await processVideo(fer, source, {
        info, fps, detectEvery, tta: values.tta as Tta, ttaFrames, halfLifeMs, lostAfterMs, maxSeconds, maxSide, annotate: values.annotate,
        onStart(info, rate, expected) {
          if (!values.quiet) {
            console.error(`${source}: ${info.width}x${info.height}${info.rotation ? ` (rotated ${info.rotation}°)` : ''}, ${info.codec}, ${info.fps.toFixed(2)} fps${info.variableFrameRate ? ' (variable)' : ''}, ${info.duration === null ? 'live' : `${info.duration.toFixed(2)} s`}; sampling ${rate.toFixed(2)} fps`);
          }
          // Without a duration (a camera, no --max-seconds) there is no bar: a status line every 5 s instead.
          progress = new Progress(expected ?? 0, 'video', { silent: values.quiet || expected === null });
          live = expected === null && !values.quiet;
          if (format === 'csv') out(VIDEO_CSV_HEADER);
        },
        onFrame(fr) {
          for (const line of videoRows(fr, format)) out(line);
          faces += fr.faces.length;
          progress?.tick(1, `${faces} face rows`);
          if (live && performance.now() - lastStatus > 5000) {
            lastStatus = performance.now();
            console.error(`video: ${fr.frame + 1} frames (${(fr.time / 1000).toFixed(1)} s), ${faces} face rows; Ctrl-C stops and writes the outputs`);
          }
        },
        shouldStop: () => stop.reason !== null,
      });
      (progress as Progress | null)?.done(`${faces} face rows`);
      await rowsFile?.commit();
      const name = basename(source);
      if (values.summary) {
        writeAtomic(values.summary, JSON.stringify({ source, width: r.width, height: r.height, rotation: r.info.rotation, fps: r.fps, duration: r.info.duration, frames: r.frames, framesWithFaces: r.framesWithFaces, incomplete: r.incomplete, tracks: r.summaries }, null, 2) + '\n');
      }
      if (values.plot) {
        if (r.summaries.length === 0) console.error(`--plot: skipped, no face in any of ${r.frames} frames (${values.plot} not written)`);
        else writeAtomic(values.plot, timelineSvg(r.timeline, r.summaries, { title: `${name}: expressions over time`, duration: r.frames / r.fps, gapSeconds: 3 / r.fps }));
      }
      if (!values.quiet) {
        console.error(`${r.frames} frames (${r.detections} detected), ${r.framesWithFaces} with a face, ${r.summaries.length} track(s); ${(r.frames / Math.max(r.seconds, 1e-9)).toFixed(2)} frames/s`);
        if (r.summaries.length) console.error(summaryLines(r.summaries).join('\n'));
      }
      if (r.summaries.length === 0) console.error(`${source}: no face in any of ${r.frames} frames`);
      if (r.incomplete) console.error(`${source}: ${r.incomplete}; outputs cover the frames read`);
      if (stop.reason === 'stdout-closed') return stop.exitCode;
      if (r.stopped) {
        console.error(`interrupted after ${r.frames} frames; outputs cover them`);
        return sourceKind(source) === 'file' ? EXIT_INTERRUPTED : 0;
      }
      return r.incomplete ? 1 : 0;
    } catch (err) {
      (progress as Progress | null)?.done();
      await rowsFile?.discard();
      if (err instanceof CafeError) {
        console.error(`cafe video: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      stop.dispose();
      await fer.dispose();
    }
  },
};
