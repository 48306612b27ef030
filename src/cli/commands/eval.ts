import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';

const usage = `Usage: cafe eval --run DIR --target SPEC [--target SPEC ...] [--out PREFIX] [--weights best|final]

Scores a trained run on target datasets: accuracy, balanced accuracy, macro-F1 and the confusion matrix per target,
and their mean over targets. A set without some class (CK+48 has no neutral) is scored over the classes it has,
with the model's 7-way argmax: predicting the absent class counts as an error.

Options:
  --run DIR        run folder written by cafe train
  --target SPEC    dataset spec (repeatable), e.g. sfew:../shared/datasets/sfew2:val
  --weights W      best (validation-selected, default) or final
  --out PREFIX     write PREFIX.json, PREFIX.md and PREFIX-<n>-confusion.png (default DIR/eval)
  --json           print JSON instead of Markdown`;

export const evalCommand: Command = {
  name: ['eval'],
  summary: 'score a trained run on target datasets (JSON + Markdown + confusion PNGs)',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        run: { type: 'string' },
        target: { type: 'string', multiple: true },
        weights: { type: 'string', default: 'best' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.run || !values.target?.length || !['best', 'final'].includes(values.weights!)) {
      console.error(usage);
      return 2;
    }
    const { evaluateRun } = await import('../../eval/evaluate.js'); // loads libtorch only here
    const { reportMarkdown, writeConfusionPng } = await import('../../eval/report.js');
    const { writeAtomic } = await import('../../util/atomic.js');
    const { disposeEncoders } = await import('../../features/table.js');
    const { readHistory } = await import('../../train/trainer.js');
    const prefix = values.out ?? join(values.run, 'eval');
    let res;
    try {
      res = await evaluateRun(values.run, values.target, { weights: values.weights as 'best' | 'final' });
    } finally {
      await disposeEncoders();
    }
    let commit = 'unknown';
    try {
      commit = execSync('git rev-parse HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      /* not a checkout */
    }
    const mean = (k: 'accuracy' | 'balancedAccuracy' | 'macroF1') => res.reports.reduce((a, r) => a + r.scores[k], 0) / res.reports.length;
    const result = {
      command: `cafe eval ${argv.join(' ')}`,
      commit,
      date: new Date().toISOString(),
      run: values.run,
      weights: values.weights,
      /** 0-based epoch the evaluated weights come from. */
      epoch: res.epoch,
      config: res.cfg,
      /** The run's training history (metrics.jsonl), so the report stands without the run folder. */
      history: readHistory(values.run),
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
