import { parseArgs } from 'node:util';
import { parseFrames, requireDatasetFrame } from '../../features/reframe.js';
import type { Command } from '../command.js';
import { openDataset } from '../../data/index.js';
import { createEncoder, DEFAULT_ENCODER, encoderEntries } from '../../encoders/registry.js';
import { getFeatures } from '../../features/extract.js';
import { defaultCacheDir } from '../../features/store.js';

const usage = `Usage: cafe features extract --data SPEC [--data SPEC ...] [options]

Encodes every image of each dataset with a frozen encoder and caches the features (float32 shards + JSON index,
keyed by dataset spec, item id, encoder, preprocessing hash and weights hash). Later runs reuse them; a changed
image, preprocessing or weight file re-encodes what changed. Ctrl-C stops after the shard in flight; rerun to resume.

Options:
  --encoder E         ${encoderEntries().map((e) => (e.name === 'onnx' ? 'onnx:PATH' : e.name)).join(' | ')} (default ${DEFAULT_ENCODER})
  --data SPEC         dataset spec, e.g. ferplus:/data/ferplus:train (repeatable)
  --flip              also cache features of horizontally flipped images (CAFE's training augmentation)
  --aug-views K       also cache K augmented views per image (framing jitter, blur, low resolution, light:
                      src/features/augment.ts), what cafe probe --aug-views K trains on
  --reframe F,...     also cache each image cut again in these canonical frames but its own (ferplus, sfew:
                      src/features/reframe.ts), what cafe probe --reframe trains on
  --preprocess P      override preprocessing: clip | cafe | faceres | path/to/preprocess.json
  --cache-dir DIR     cache root (default $CAFE_CACHE_DIR or .cache/cafe/features)
  --batch-size N      images per runtime call (default 32)
  --threads N         onnxruntime threads (default: all cores)
  --json              print a JSON summary on stdout
  --quiet             no progress bar
  --verbose           list every item the dataset adapter left out (not only counts per reason)`;

export const featuresExtract: Command = {
  name: ['features', 'extract'],
  summary: 'encode datasets with a frozen encoder into the feature cache (resumable)',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        encoder: { type: 'string', default: DEFAULT_ENCODER },
        data: { type: 'string', multiple: true },
        flip: { type: 'boolean', default: false },
        'aug-views': { type: 'string' },
        reframe: { type: 'string' },
        preprocess: { type: 'string' },
        'cache-dir': { type: 'string' },
        'batch-size': { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.data?.length) {
      console.error(usage);
      return 2;
    }
    const { loadPreprocess } = await import('../../encoders/preprocess-node.js');
    const reframe = values.reframe !== undefined ? parseFrames(values.reframe) : undefined;
    // Before any encoding: every dataset must have a known frame to be re-framed from.
    if (reframe) for (const spec of values.data ?? []) requireDatasetFrame(spec);
    const encoder = await createEncoder(values.encoder, {
      batchSize: values['batch-size'] ? Number(values['batch-size']) : undefined,
      threads: values.threads ? Number(values.threads) : undefined,
      preprocess: values.preprocess ? loadPreprocess(values.preprocess) : undefined,
    });
    const cacheDir = values['cache-dir'] ?? defaultCacheDir();
    const abort = new AbortController();
    const onSigint = () => {
      if (abort.signal.aborted) process.exit(130); // second Ctrl-C: stop now (whole shards are safe)
      console.error('\ninterrupt: finishing the shard in flight (Ctrl-C again to stop at once)');
      abort.abort();
    };
    process.on('SIGINT', onSigint);
    const summary: Array<Record<string, unknown>> = [];
    const unreadable: string[] = [];
    try {
      for (const spec of values.data) {
        const dataset = await openDataset(spec);
        if (dataset.skipped.length) {
          // Label-mode drops run into thousands (FER+ no-majority): counted by reason, listed with --verbose.
          const byReason = new Map<string, number>();
          for (const s of dataset.skipped) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
          console.error(`${dataset.spec}: the adapter left out ${dataset.skipped.length} item(s): ${[...byReason].map(([r, n]) => `${n} x ${r}`).join(', ')}`);
          if (values.verbose) for (const s of dataset.skipped) console.error(`  ${s.id}: ${s.reason}`);
        }
        const f = await getFeatures(encoder, dataset, { flip: values.flip, augViews: values['aug-views'] ? Number(values['aug-views']) : 0, reframe, cacheDir, progress: !values.quiet, label: `${encoder.name} ${spec}`, signal: abort.signal });
        for (const s of f.skipped) unreadable.push(`${dataset.spec}: ${s.id}: ${s.reason}`);
        const row = {
          spec: dataset.spec,
          encoder: encoder.name,
          dim: f.dim,
          items: f.ids.length,
          flip: values.flip,
          augViews: values['aug-views'] ? Number(values['aug-views']) : 0,
          reframedInto: f.reframedInto ?? [],
          cached: f.stats.hits,
          computed: f.stats.computed,
          skipped: f.skipped.length,
          adapterSkipped: dataset.skipped.length,
          seconds: Number(f.stats.seconds.toFixed(2)),
          entry: f.cacheEntry,
        };
        summary.push(row);
        if (!values.json) console.log(`${dataset.spec}: ${row.items} x ${row.dim} features (${row.cached} cached, ${row.computed} computed, ${row.skipped} skipped) in ${row.seconds}s -> ${row.entry}`);
        if (f.stats.interrupted) {
          console.error('interrupted: rerun the same command to resume');
          return 130;
        }
      }
    } finally {
      process.off('SIGINT', onSigint);
      await encoder.dispose();
    }
    if (values.json) console.log(JSON.stringify(summary, null, 2));
    if (unreadable.length) console.error(`skipped ${unreadable.length} unreadable item(s):\n  ${unreadable.join('\n  ')}`);
    return 0;
  },
};
