import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { TTAS, type Tta } from '../../export/manifest.js';
import { frameListFlag } from '../../detect/align.js';
import type { Command } from '../command.js';
import { EXPRESSIONS } from '../../labels.js';
import { Progress } from '../../util/progress.js';
import { createRecognizer, DEFAULT_MAX_SIDE, PIPELINE_BATCH, pipelineThreads, type Recognition } from '../../recognizer/recognizer.js';
import { invalidParameter } from '../../errors.js';
import { expandInputs, samplePhotos } from '../../recognizer/files.js';
import { writeAnnotated } from '../../recognizer/annotate.js';
import { CSV_HEADER, faceRecords, recordCsv, recordJson } from '../../recognizer/records.js';
import { DEFAULT_DETECTOR_OPTIONS } from '../../detect/blazeface.js';
import { EXIT_INTERRUPTED, EXIT_STDOUT_CLOSED, watchStop } from '../stop.js';

const usage = `Usage: cafe predict <files|dirs|globs>... [options]
       cafe predict --samples [options]

Finds every face in each photo, aligns it and scores the 7 expressions (${EXPRESSIONS.join(', ')}).
Runs on onnxruntime only: no libtorch needed. One output row per face on stdout; progress and the
summary (files without a face, files that failed) on stderr. Exit code 0 when every file was read, 1 otherwise
(a photo without a face is not a failure). When stdout closes early (\`| head\`) the run stops after the current file,
leaves no temp files and exits ${EXIT_STDOUT_CLOSED}; after Ctrl-C (SIGINT/SIGTERM) likewise with ${EXIT_INTERRUPTED}.

Options:
  --model DIR        model folder (model.json); default: the shipped model (see MODEL_CARD.md)
  --format F         json (JSON lines, default) or csv
  --annotate DIR     write a copy of each photo with boxes and labels into DIR
  --samples          predict on the sample photos shipped with the face-api dependency (no photos of your own needed)
  --crops            inputs are already face crops: skip detection and alignment
  --min-score X      detection score threshold (default ${DEFAULT_DETECTOR_OPTIONS.minScore})
  --min-size N       smallest face side in pixels (default ${DEFAULT_DETECTOR_OPTIONS.minSize})
  --max-side N       downscale photos larger than this before detection (default ${DEFAULT_MAX_SIDE})
  --batch N          photos per detector run and model call (default ${PIPELINE_BATCH}); the next photos are decoded
                     while the current ones are scored, and output keeps the input order either way
  --tta none|flip    test-time augmentation: flip averages each face with its mirror image (twice the model
                     time); default: the model's own (model.json "tta")
  --tta-frames none|F,...  further frames (ferplus, sfew) each detected face is also cut in, its logits averaged:
                     one more model pass per frame; none = the model's frame only; default: model.json "ttaFrames"
  --threads N        onnxruntime threads per model (default ${pipelineThreads()}: half the cores; the rest decode)
  --quiet            no progress bar`;

function rows(file: string, r: Recognition, format: 'json' | 'csv'): string[] {
  return faceRecords(file, r).map(format === 'csv' ? recordCsv : recordJson);
}

export const predict: Command = {
  name: ['predict'],
  summary: 'detect faces in photos and predict their expressions (JSON lines or CSV; optional annotated copies)',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        format: { type: 'string', default: 'json' },
        annotate: { type: 'string' },
        crops: { type: 'boolean', default: false },
        samples: { type: 'boolean', default: false },
        'min-score': { type: 'string' },
        'min-size': { type: 'string' },
        'max-side': { type: 'string' },
        batch: { type: 'string' },
        threads: { type: 'string' },
        tta: { type: 'string' },
        'tta-frames': { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
    });
    const format = values.format as 'json' | 'csv';
    if (values.samples) positionals.push(...samplePhotos());
    if (positionals.length === 0 || (format !== 'json' && format !== 'csv')) {
      console.error(usage);
      return 2;
    }
    const { files, missing } = expandInputs(positionals);
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const batch = num(values.batch) ?? PIPELINE_BATCH;
    const threads = num(values.threads) ?? pipelineThreads();
    if (!Number.isInteger(batch) || batch < 1) throw invalidParameter('--batch', 'a positive integer', values.batch);
    if (!Number.isInteger(threads) || threads < 1) throw invalidParameter('--threads', 'a positive integer', values.threads);
    if (values.tta !== undefined && !TTAS.includes(values.tta as Tta)) throw invalidParameter('--tta', TTAS.join(' or '), values.tta);
    const fer = await createRecognizer({
      model: values.model,
      tta: values.tta as Tta | undefined,
      ...(values['tta-frames'] !== undefined ? { ttaFrames: frameListFlag(values['tta-frames'], '--tta-frames') } : {}),
      detector: { minScore: num(values['min-score']), minSize: num(values['min-size']) } as never,
      maxSide: num(values['max-side']),
      threads,
    });
    if (!values.quiet) console.error(`model: ${fer.model.manifest.name} (${fer.model.dir})${fer.model.manifest.description ? `: ${fer.model.manifest.description}` : ''}`);
    if (values.annotate) mkdirSync(values.annotate, { recursive: true });
    const stop = watchStop();
    const out = (s: string) => stop.writeLine(s);
    if (format === 'csv') out(CSV_HEADER);
    const noFace: string[] = [];
    const failed: Array<{ file: string; error: string }> = missing.map((file) => ({ file, error: 'no such file, or no image in it' }));
    let faces = 0;
    const progress = new Progress(files.length, 'predict', { silent: values.quiet || files.length < 2 });
    const t0 = performance.now();
    const usedNames = new Set<string>();
    let done = 0;
    // Pipelined: the next batch is decoded while the current one is detected and scored; output stays in order.
    for await (const o of fer.recognizeMany(files, { detect: !values.crops, batch, prefetch: batch })) {
      const file = o.input as string;
      if (o.error) failed.push({ file, error: o.error.message });
      else {
        const r = o.result;
        try {
          for (const line of rows(file, r, format)) out(line);
          faces += r.faces.length;
          if (r.faces.length === 0) noFace.push(file);
          if (values.annotate) {
            // Same base name from two folders: suffix instead of overwriting.
            let name = basename(file, extname(file));
            for (let k = 2; usedNames.has(name); k++) name = `${basename(file, extname(file))}-${k}`;
            usedNames.add(name);
            await writeAnnotated(file, r, join(values.annotate, `${name}.jpg`));
          }
        } catch (err) {
          failed.push({ file, error: (err as Error).message });
        }
      }
      done++;
      progress.tick(1, `${faces} faces`);
      if (stop.reason) break;
    }
    progress.done(`${faces} faces`);
    await fer.dispose();
    stop.dispose();
    if (stop.reason) {
      const why = stop.reason === 'stdout-closed' ? 'stdout closed' : 'interrupted';
      console.error(`${why} after ${done} of ${files.length} files: stopped (exit ${stop.exitCode})`);
      return stop.exitCode;
    }
    const secs = (performance.now() - t0) / 1000;
    console.error(`${files.length} files, ${faces} faces, ${noFace.length} without a face, ${failed.length} failed (${(files.length / Math.max(secs, 1e-9)).toFixed(2)} photos/s)`);
    if (noFace.length) console.error(`no face:\n${noFace.map((f) => `  ${f}`).join('\n')}`);
    if (failed.length) console.error(`failed:\n${failed.map((f) => `  ${f.file}: ${f.error}`).join('\n')}`);
    return failed.length ? 1 : 0;
  },
};
