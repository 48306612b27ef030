import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { invalidParameter } from '../../errors.js';
import { alignFrameName, frameListFlag } from '../../detect/align.js';

const usage = `Usage: cafe eval --run DIR --target SPEC [--target SPEC ...] [--out PREFIX] [--weights best|final]
       cafe eval --model DIR --target SPEC [--target SPEC ...] [--detect [--align-frame F] [--tta-frames L]] [--limit N] [--out PREFIX]

Scores a trained run (--run: libtorch, the run's own preprocessing) or an exported model folder (--model: the deployed
path of cafe predict, onnxruntime only; --model default names the shipped model) on target datasets: accuracy, balanced accuracy, macro-F1 and the confusion matrix per target,
and their mean over targets. A set without some class (CK+48 has no neutral) is scored over the classes it has,
with the model's 7-way argmax: predicting the absent class counts as an error.

Options:
  --run DIR        run folder written by cafe train
  --model DIR      model folder written by cafe export (model.json); 'default' = the shipped model
  --tta none|flip  with --model: test-time augmentation (default: the model's own, model.json "tta")
  --detect         with --model: detect + align faces in each image instead of using the dataset's crops; an image
                   without a found face counts as an error (end-to-end number)
  --align-frame F  with --detect: frame the crops as F (ferplus: square; sfew: 143 x 181 like SFEW's official crops)
                   instead of the model's own framing (model.json "align"), to measure a framing before exporting it
  --tta-frames none|F,...  with --detect: further frames each face is also cut in, logits averaged (default:
                   the model's own, model.json "ttaFrames")
  --limit N        with --model: an evenly spaced subset of about N labelled items per target (quick checks)
  --target SPEC    dataset spec (repeatable), e.g. sfew:../shared/datasets/sfew2:val
  --weights W      best (validation-selected, default) or final
  --out PREFIX     write PREFIX.json, PREFIX.md and PREFIX-<n>-confusion.png (default DIR/eval; --model default:
                   eval/<model name>, beside the current folder, since a shipped model folder may be read-only)
  --json           print JSON instead of Markdown`;

function gitCommit(): string {
  try {
    return execSync('git rev-parse HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown'; // not a checkout
  }
}

async function evalModel(argv: string[], model: string, targets: string[], o: { detect: boolean; limit?: string; out?: string; json: boolean; tta?: string; alignFrame?: string; ttaFrames?: string }): Promise<number> {
  const limit = o.limit === undefined ? 0 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 0) throw invalidParameter('--limit', 'a whole number >= 0', o.limit);
  const { evaluateModel } = await import('../../eval/model-eval.js');
  const { reportMarkdown, writeConfusionPng } = await import('../../eval/report.js');
  const { writeAtomic } = await import('../../util/atomic.js');
  const { TTAS } = await import('../../export/manifest.js');
  if (o.tta !== undefined && !TTAS.includes(o.tta as never)) throw invalidParameter('--tta', TTAS.join(' or '), o.tta);
  const alignFrame = o.alignFrame === undefined ? undefined : alignFrameName(o.alignFrame, '--align-frame');
  if (alignFrame !== undefined && !o.detect) throw invalidParameter('--align-frame', 'to go with --detect (dataset crops are not re-framed)', alignFrame);
  const ttaFrames = o.ttaFrames === undefined ? undefined : frameListFlag(o.ttaFrames, '--tta-frames');
  if (ttaFrames !== undefined && !o.detect) throw invalidParameter('--tta-frames', 'to go with --detect (dataset crops are not re-framed)', o.ttaFrames);
  const res = await evaluateModel(model === 'default' ? undefined : model, targets, { detect: o.detect, limit, tta: o.tta as never, alignFrame, ttaFrames });
  const prefix = o.out ?? join('eval', res.model.name + (o.detect ? '-detect' : '') + (o.alignFrame ? `-${o.alignFrame}` : '') + (o.ttaFrames ? `-frames-${o.ttaFrames.replace(/,/g, '+')}` : ''));
  const commit = gitCommit();
  const mean = (k: 'accuracy' | 'balancedAccuracy' | 'macroF1') => res.reports.reduce((a, r) => a + r.scores[k], 0) / res.reports.length;
  const result = {
    command: `cafe eval ${argv.join(' ')}`,
    commit,
    date: new Date().toISOString(),
    model: res.model,
    path: o.detect ? `detect + align${o.alignFrame ? ` (frame: ${o.alignFrame})` : ''}${o.ttaFrames ? ` (test-time frames: ${o.ttaFrames})` : ''} + recognize (cafe predict)` : 'dataset crops + recognize (cafe predict --crops)',
    limit,
    targets: res.reports,
    mean: { accuracy: mean('accuracy'), balancedAccuracy: mean('balancedAccuracy'), macroF1: mean('macroF1') },
  };
  const pngs: string[] = [];
  for (const [i, r] of res.reports.entries()) {
    const p = `${prefix}-${i}-confusion.png`;
    await writeConfusionPng(p, r.scores.confusion, `${res.model.name}: ${r.target}`);
    pngs.push(p);
  }
  const md = reportMarkdown(`${res.model.name} (model folder, deployed path) on targets`, res.reports, [
    `Model: \`${res.model.dir}\`${res.model.description ? ` (${res.model.description})` : ''}. Path: ${result.path}${limit ? `; about ${limit} items per target` : ''}.`,
    `Throughput: ${res.reports.map((r) => `${r.imagesPerSecond.toFixed(1)} img/s`).join(', ')}. Confusion matrices: ${pngs.map((p) => `\`${p}\``).join(', ')}.`,
    '',
    `Command: \`${result.command}\`  `,
    `Commit: \`${commit}\`, ${result.date}`,
  ]);
  writeAtomic(`${prefix}.json`, JSON.stringify(result, null, 2) + '\n');
  writeAtomic(`${prefix}.md`, md);
  console.log(o.json ? JSON.stringify(result, null, 2) : md);
  return 0;
}

export const evalCommand: Command = {
  name: ['eval'],
  summary: 'score a trained run or an exported model folder on target datasets (JSON + Markdown + confusion PNGs)',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        run: { type: 'string' },
        model: { type: 'string' },
        detect: { type: 'boolean', default: false },
        limit: { type: 'string' },
        tta: { type: 'string' },
        'align-frame': { type: 'string' },
        'tta-frames': { type: 'string' },
        target: { type: 'string', multiple: true },
        weights: { type: 'string', default: 'best' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!!values.run === !!values.model || !values.target?.length || !['best', 'final'].includes(values.weights!)) {
      console.error(usage);
      return 2;
    }
    if (values.model) return evalModel(argv, values.model, values.target, { detect: values.detect!, limit: values.limit, out: values.out, json: values.json!, tta: values.tta, alignFrame: values['align-frame'], ttaFrames: values['tta-frames'] });
    if (values.detect || values.limit || values['align-frame'] !== undefined || values['tta-frames'] !== undefined || values.tta !== undefined) {
      console.error('cafe eval: --detect, --limit, --align-frame, --tta-frames and --tta go with --model (a run is scored on its cached crops)');
      return 2;
    }
    const run = values.run!;
    const { evaluateRun } = await import('../../eval/evaluate.js'); // loads libtorch only here
    const { reportMarkdown, writeConfusionPng } = await import('../../eval/report.js');
    const { writeAtomic } = await import('../../util/atomic.js');
    const { disposeEncoders } = await import('../../features/table.js');
    const { readHistory } = await import('../../train/trainer.js');
    const prefix = values.out ?? join(run, 'eval');
    let res;
    try {
      res = await evaluateRun(run, values.target, { weights: values.weights as 'best' | 'final' });
    } finally {
      await disposeEncoders();
    }
    const commit = gitCommit();
    const mean = (k: 'accuracy' | 'balancedAccuracy' | 'macroF1') => res.reports.reduce((a, r) => a + r.scores[k], 0) / res.reports.length;
    const result = {
      command: `cafe eval ${argv.join(' ')}`,
      commit,
      date: new Date().toISOString(),
      run,
      weights: values.weights,
      /** 0-based epoch the evaluated weights come from. */
      epoch: res.epoch,
      config: res.cfg,
      /** The run's training history (metrics.jsonl), so the report stands without the run folder. */
      history: readHistory(run),
      targets: res.reports,
      mean: { accuracy: mean('accuracy'), balancedAccuracy: mean('balancedAccuracy'), macroF1: mean('macroF1') },
    };
    const pngs: string[] = [];
    for (const [i, r] of res.reports.entries()) {
      const p = `${prefix}-${i}-confusion.png`;
      await writeConfusionPng(p, r.scores.confusion, `${res.cfg.name}: ${r.target}`);
      pngs.push(p);
    }
    const md = reportMarkdown(`${res.cfg.name} (${res.cfg.model.kind}) on targets`, res.reports, [
      `Weights: ${values.weights} (epoch ${res.epoch + 1}). Confusion matrices: ${pngs.map((p) => `\`${p}\``).join(', ')}.`,
      '',
      `Command: \`${result.command}\`  `,
      `Commit: \`${commit}\`, ${result.date}`,
    ]);
    writeAtomic(`${prefix}.json`, JSON.stringify(result, null, 2) + '\n');
    writeAtomic(`${prefix}.md`, md);
    console.log(values.json ? JSON.stringify(result, null, 2) : md);
    return 0;
  },
};
