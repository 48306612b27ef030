import type { Command } from '../command.js';
import { invalidParameter } from '../../errors.js';
import { exportRun } from '../../export/export-run.js';
import { TTAS, type Tta } from '../../export/manifest.js';
import { alignFrameName, frameNames, isAlignSize } from '../../detect/align.js';

const USAGE = `Usage: cafe export --run DIR --out DIR [--fp16|--fp32] [--with-encoder] [--name NAME] [--weights FILE] [--tta T] [--align-size N] [--align-frame F]
                   [--tta-frames F,...]

Exports a trained CAFE run (config.json + safetensors weights) to a model folder that \`cafe predict --model DIR\`
and createRecognizer({ model: DIR }) load with onnxruntime only (no libtorch): model.json + head.onnx.

  --run DIR       training run folder
  --out DIR       model folder to write (created; model.json and head.onnx are replaced atomically)
  --fp16, --fp32  weight storage (default: fp16 when the fp32 file would pass 20 MB; compute is always fp32)
  --with-encoder  also write the encoder as encoder.onnx (faceres, +13 MB): a self-contained folder, e.g. for onnxruntime-web
  --name NAME     model name recorded in model.json
  --tta none|flip test-time augmentation the model uses by default (flip: each face averaged with its mirror)
  --weights FILE  weights file inside the run (default best.safetensors, else final.safetensors)
  --align-size N  side in px of the aligned face crop cut from photos (default 48 when a gray 48 px source such as
                  FER+ is among the training sources, else 224): a model that also trained on larger faces may read
                  photos better at a larger size; with a non-square frame, the crop's width
  --align-frame F where the eyes go in the crop cut from photos: ferplus (default: square, eyes at 0.41 of the
                  height, 0.27 of the width apart, as FER+'s crops) or sfew (143 x 181 like SFEW's official crops:
                  eyes at 0.25, 0.37 apart); bench/results/predict-align.md measured both
  --tta-frames F,...  frames (as --align-frame) each detected face is also cut in, its logits averaged over all of
                  them: one more model pass per frame (bench/results/frame-tta/README.md measured ferplus beside sfew)`;

function value(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw invalidParameter(flag, 'a value', v);
  return v;
}

function ttaFlag(argv: string[]): Tta | undefined {
  const v = value(argv, '--tta');
  if (v !== undefined && !TTAS.includes(v as Tta)) throw invalidParameter('--tta', TTAS.join(' or '), v);
  return v as Tta | undefined;
}

function precision(argv: string[]): boolean | undefined {
  if (argv.includes('--fp32')) return false;
  if (argv.includes('--fp16')) return true;
  return undefined;
}

export const exportCommand: Command = {
  name: ['export'],
  summary: 'export a trained run to ONNX (model.json + head.onnx) for prediction without libtorch',
  usage: USAGE,
  async run(argv) {
    const run = value(argv, '--run');
    const out = value(argv, '--out');
    if (!run || !out) {
      console.error(USAGE);
      return 2;
    }
    const a = value(argv, '--align-size');
    const alignSize = a === undefined ? undefined : Number(a);
    if (alignSize !== undefined && !isAlignSize(alignSize)) throw invalidParameter('--align-size', 'an integer from 16 to 1024 (px)', a);
    const f = value(argv, '--align-frame');
    const alignFrame = f === undefined ? undefined : alignFrameName(f, '--align-frame');
    const tf = value(argv, '--tta-frames');
    const ttaFrames = tf === undefined ? undefined : frameNames(tf, '--tta-frames');
    const r = await exportRun(run, out, { fp16: precision(argv), name: value(argv, '--name'), weights: value(argv, '--weights'), withEncoder: argv.includes('--with-encoder'), tta: ttaFlag(argv), alignSize, alignFrame, ttaFrames });
    const p = Object.entries(r.manifest.parity ?? {}).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ');
    console.log(`wrote ${r.outDir}/head.onnx (${(r.bytes / 1e6).toFixed(1)} MB, ${r.manifest.precision}) and model.json${p ? `; max |logit diff| ${p}` : ''}`);
    return 0;
  },
};
