import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { DEFAULT_CONFIG, loadConfig, resolveConfig } from '../../cafe/config.js';

const usage = `Usage: cafe train [--config FILE] --out DIR [key.path=value ...]

Trains a CAFE model (or an ablation row: model.kind=baseline | probe | concat, loss.lambda=0, loss.beta=0,
model.maskActivation=none, model.finalRelu=false) on cached frozen-encoder features. Validation uses the source's
own validation split (data.valid) only. Rerunning with the same --out and config resumes from the last completed
epoch (checkpoints are written atomically after every epoch).

Options:
  --config FILE   preset (JSON), e.g. configs/cafe-paper.json or configs/cafe-cpu.json; defaults otherwise
  --out DIR       run folder (config.json, metrics.jsonl, checkpoint/best/final .safetensors)
  --print         print the resolved config and exit
  key=value       overrides, dotted (optim.epochs=3 model.kind=baseline data.imageSize=48)

Defaults (the paper's recipe):
${JSON.stringify(DEFAULT_CONFIG, null, 2)}`;

export const train: Command = {
  name: ['train'],
  summary: 'train CAFE or an ablation row on a source dataset (resumable run folder)',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, out: { type: 'string' }, print: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    const cfg = values.config ? loadConfig(values.config, positionals) : resolveConfig({}, positionals);
    if (values.print) {
      console.log(JSON.stringify(cfg, null, 2));
      return 0;
    }
    if (!values.out) {
      console.error(usage);
      return 2;
    }
    const { train: run } = await import('../../train/trainer.js'); // loads libtorch only here
    const { disposeEncoders } = await import('../../features/table.js');
    try {
      const r = await run(cfg, values.out);
      console.log(JSON.stringify({ runDir: r.runDir, bestEpoch: r.bestEpoch, bestValidAccuracy: r.bestValidAccuracy, epochs: r.epochs.length }, null, 2));
    } finally {
      await disposeEncoders();
    }
    return 0;
  },
};
