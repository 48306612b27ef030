// Feature-cache timing: the full FERPlus / SFEW 2.0 / CK+48 extraction with faceres (first run, from the summary
// that `cafe features extract --json` printed) next to a second extraction of the same data, timed here.
// Run: node --import tsx bench/encoders-extract.ts [--first first-run.json] [--datasets DIR]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { openDataset } from '../src/data/index.js';
import { createEncoder } from '../src/encoders/registry.js';
import { getFeatures } from '../src/features/extract.js';
import { defaultCacheDir } from '../src/features/store.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = datasetsRoot(arg('datasets'));
const specs = [
  `ferplus:${join(root, 'ferplus')}:train`,
  `ferplus:${join(root, 'ferplus')}:valid`,
  `ferplus:${join(root, 'ferplus')}:test`,
  `sfew:${join(root, 'sfew2')}:train`,
  `sfew:${join(root, 'sfew2')}:val`,
  `ckplus:${join(root, 'ckplus48')}`,
];

async function main() {
  if (!existsSync(root)) {
    console.error(`nothing to time: ${datasetsHint(root)}`);
    process.exit(0);
  }
  const first = arg('first') ? (JSON.parse(readFileSync(arg('first')!, 'utf8')) as Array<{ spec: string; items: number; computed: number; cached: number; skipped: number; seconds: number }>) : [];
  const t0 = performance.now();
  const encoder = await createEncoder('faceres');
  const tEncoder = (performance.now() - t0) / 1000;
  const rows: Array<{
    spec: string;
    items: number;
    skipped: number;
    firstRunSeconds?: number;
    firstRunComputed?: number;
    openDatasetSeconds: number;
    secondRunSeconds: number;
    secondRunHits: number;
    secondRunComputed: number;
  }> = [];
  for (const spec of specs) {
    const tOpen = performance.now();
    const ds = await openDataset(spec);
    const open = (performance.now() - tOpen) / 1000;
    const f = await getFeatures(encoder, ds, { flip: true });
    const firstRun = first.find((r) => r.spec === ds.spec);
    rows.push({
      spec: ds.spec,
      items: f.ids.length,
      skipped: f.skipped.length,
      firstRunSeconds: firstRun?.seconds,
      firstRunComputed: firstRun?.computed,
      openDatasetSeconds: open,
      secondRunSeconds: f.stats.seconds,
      secondRunHits: f.stats.hits,
      secondRunComputed: f.stats.computed,
    });
    console.error(`${ds.spec}: ${f.ids.length} items, second run ${f.stats.seconds.toFixed(2)} s (${f.stats.computed} computed)`);
  }
  await encoder.dispose();
  const total = (performance.now() - t0) / 1000;
  const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
  const command = `node --import tsx bench/encoders-extract.ts ${args.join(' ')}`.trim();
  const sum = (k: 'firstRunSeconds' | 'secondRunSeconds') => rows.reduce((a, r) => a + (r[k] ?? 0), 0);
  const result = { command, commit, date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, cacheDir: defaultCacheDir(), encoderLoadSeconds: tEncoder, totalSeconds: total, rows };
  const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
  const md = [
    '# Feature extraction: faceres, original + flipped features',
    '',
    `${result.cpu}, ${result.cores} cores, shared with other jobs during the first run. Cache: \`${result.cacheDir}\`.`,
    '',
    '| dataset | items | skipped | first run s (computed) | second run s (all cached) | dataset open s |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| \`${r.spec}\` | ${r.items} | ${r.skipped} | ${f(r.firstRunSeconds)}${r.firstRunComputed !== undefined ? ` (${r.firstRunComputed})` : ''} | ${f(r.secondRunSeconds)}${r.secondRunComputed ? ` (${r.secondRunComputed} computed!)` : ''} | ${f(r.openDatasetSeconds)} |`),
    `| **total** | ${rows.reduce((a, r) => a + r.items, 0)} | ${rows.reduce((a, r) => a + r.skipped, 0)} | ${f(sum('firstRunSeconds'))} | ${f(sum('secondRunSeconds'))} | |`,
    '',
    `Second run end to end (encoder load ${tEncoder.toFixed(1)} s + datasets + cached features): ${total.toFixed(1)} s.`,
    '',
    `First run: \`${first.length ? 'cafe features extract --flip --json --data ... (specs above)' : 'not given'}\`  `,
    `Command: \`${command}\`  `,
    `Commit: \`${commit}\`, ${result.date}`,
    '',
  ].join('\n');
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(join('bench/results', 'encoders-extract.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join('bench/results', 'encoders-extract.md'), md);
  console.log(md);
}

await main();
